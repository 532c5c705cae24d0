/**
 * The fault suite's bookkeeping, pure: from the instances a scenario created
 * and what became of them, how many finished, were lost or got stuck, and
 * whether every extra attempt is accounted for in the tasks' attempt history.
 *
 * - lost: vanished (created but no longer listed), or not terminal when the
 *   scenario's deadline passed while it was still moving;
 * - stuck: not terminal and no progress (phase, task phases or attempts) for
 *   `stuckMs` after the faults ended;
 * - extra attempts: every attempt beyond the first of each task; accounted
 *   for when the task's history holds a record of each earlier attempt
 *   (or counts it in historyDropped);
 * - recorded twice: an attempt number that appears twice in a task's history;
 * - succeeded twice: a task with more than one attempt that succeeded (it ran
 *   to the end twice: a double run).
 */
import { isTerminal, type InstanceObject, type TaskState } from '../bench/instances.ts';

export type Accounting = {
  instances: number;
  succeeded: number;
  failed: number;
  canceled: number;
  lost: number;
  stuck: number;
  extraAttempts: number;
  /** Extra attempts by the reason the earlier attempt ended (from history). */
  extraByReason: Record<string, number>;
  /** Extra attempts with no record in history. */
  unaccounted: number;
  /** Attempt records that appear more than once in a task's history. */
  recordedTwice: number;
  /** Tasks with more than one successful attempt. */
  succeededTwice: number;
  /** A few names of each kind, for the report. */
  examples: { lost: string[]; stuck: string[]; failed: string[]; unaccounted: string[] };
};

export type Observed = {
  /** The instances the scenario created. */
  created: readonly string[];
  /** The last version of each instance seen at the end (absent: vanished). */
  finals: ReadonlyMap<string, InstanceObject>;
  /** When each instance last made progress (ms, any monotonic clock). */
  progressAt: ReadonlyMap<string, number>;
  /** When the last fault ended (same clock). */
  faultsEndedAt: number;
  /** Now (same clock). */
  now: number;
  stuckMs: number;
};

const EXAMPLES = 5;

/** Attempts beyond the first, how many of them history records, and duplicate records. */
export function taskAttempts(t: TaskState): {
  extra: number;
  recorded: number;
  twice: number;
  succeeded: number;
  reasons: string[];
} {
  const attempt = t.attempt ?? 1;
  const history = t.history ?? [];
  const earlier = history.filter((h) => h.attempt < attempt);
  const distinct = new Set(earlier.map((h) => h.attempt));
  const seen = new Set<number>();
  let twice = 0;
  for (const h of history) {
    if (seen.has(h.attempt)) twice++;
    seen.add(h.attempt);
  }
  // Attempt numbers spent on voided pre-assignments never ran: they are no extra attempt.
  const extra = Math.max(0, attempt - 1 - (t.voided ?? 0));
  return {
    extra,
    recorded: Math.min(extra, distinct.size + (t.historyDropped ?? 0)),
    twice,
    succeeded:
      history.filter((h) => h.phase === 'Succeeded').length + (t.phase === 'Succeeded' ? 1 : 0),
    reasons: earlier.map((h) => h.reason ?? h.phase),
  };
}

export function account(o: Observed): Accounting {
  const a: Accounting = {
    instances: o.created.length,
    succeeded: 0,
    failed: 0,
    canceled: 0,
    lost: 0,
    stuck: 0,
    extraAttempts: 0,
    extraByReason: {},
    unaccounted: 0,
    recordedTwice: 0,
    succeededTwice: 0,
    examples: { lost: [], stuck: [], failed: [], unaccounted: [] },
  };
  const note = (kind: keyof Accounting['examples'], name: string): void => {
    if (a.examples[kind].length < EXAMPLES) a.examples[kind].push(name);
  };
  for (const name of o.created) {
    const final = o.finals.get(name);
    if (final === undefined) {
      a.lost++;
      note('lost', name);
      continue;
    }
    for (const t of Object.values(final.status?.tasks ?? {})) {
      const at = taskAttempts(t);
      a.extraAttempts += at.extra;
      a.recordedTwice += at.twice;
      if (at.succeeded > 1) a.succeededTwice++;
      for (const r of at.reasons) a.extraByReason[r] = (a.extraByReason[r] ?? 0) + 1;
      if (at.recorded < at.extra) {
        a.unaccounted += at.extra - at.recorded;
        note('unaccounted', name);
      }
    }
    const phase = final.status?.phase;
    if (phase === 'Succeeded') a.succeeded++;
    else if (phase === 'Canceled') a.canceled++;
    else if (isTerminal(final)) {
      a.failed++;
      note('failed', name);
    } else {
      const since = Math.max(o.progressAt.get(name) ?? -Infinity, o.faultsEndedAt);
      if (o.now - since >= o.stuckMs) {
        a.stuck++;
        note('stuck', name);
      } else {
        a.lost++;
        note('lost', name);
      }
    }
  }
  return a;
}
