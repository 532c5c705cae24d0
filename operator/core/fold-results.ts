import type { TaskStatus } from '../api/dag-instance.ts';
import { parseAttemptKey, type AttemptResult, type ReportedPhase } from '../api/task-result.ts';
import { preAssignmentGate } from './pre-assign.ts';
import { canApply, transition, type WorkerEvent } from './task-transitions.ts';

const EVENT_OF: Readonly<Record<ReportedPhase, WorkerEvent>> = {
  Running: 'AttemptStarted',
  Succeeded: 'AttemptSucceeded',
  Failed: 'AttemptFailed',
};

/** One worker's results for one instance, by attempt key (a TaskResult's spec). */
export interface WorkerResults {
  worker: string;
  results: Readonly<Record<string, AttemptResult>>;
}

/**
 * What became of one result: folded into the task's entry now, already there
 * from an earlier fold, held (a pre-assigned task's report, while its
 * parent's result has not been folded: it stays in the TaskResult for a
 * later pass), stale (the attempt is no longer current, or the move is not
 * in the transition table) and discarded, or absent: status.tasks has no
 * entry for its task, which is what a folded result looks like once its
 * finished entry has moved into a shard (the worker drops it with its next
 * write), so it is discarded without a word.
 */
export type FoldOutcome = 'folded' | 'already' | 'held' | 'stale' | 'absent';

export interface Folded {
  tasks: Record<string, TaskStatus>;
  outcomes: { worker: string; key: string; outcome: FoldOutcome }[];
}

/**
 * Folds workers' results into the task entries, fenced by attempt: a result
 * counts only if the entry still names its worker and attempt and the
 * transition table has a row from the entry's phase to the result's. A late
 * result of an attempt given to another worker (its worker was presumed
 * dead), or of a canceled task, is stale: it can never overwrite the newer
 * attempt. A pre-assigned task's report counts only once its parent has
 * succeeded at the attempt it runs after: parents fold first (a report
 * held in one round is tried again after the others). Pure and idempotent:
 * folding the same results again changes nothing.
 */
export function foldResults(
  tasks: Readonly<Record<string, TaskStatus>>,
  from: readonly WorkerResults[],
): Folded {
  const next: Record<string, TaskStatus> = { ...tasks };
  const outcomes: Folded['outcomes'] = [];
  let todo = from.flatMap(({ worker, results }) =>
    Object.entries(results).map(([key, result]) => ({ worker, key, result })),
  );
  for (;;) {
    const held: typeof todo = [];
    for (const r of todo) {
      const outcome = foldOne(next, r.worker, r.key, r.result);
      if (outcome === 'held') held.push(r);
      else outcomes.push({ worker: r.worker, key: r.key, outcome });
    }
    // A round that folded nothing more cannot open another gate.
    if (held.length === 0 || held.length === todo.length) {
      for (const r of held) outcomes.push({ worker: r.worker, key: r.key, outcome: 'held' });
      return { tasks: next, outcomes };
    }
    todo = held;
  }
}

function foldOne(
  tasks: Record<string, TaskStatus>,
  worker: string,
  key: string,
  result: AttemptResult,
): FoldOutcome {
  const id = parseAttemptKey(key);
  const entry = id && tasks[id.task];
  if (id && !entry) return 'absent';
  if (!id || !entry || entry.worker !== worker || entry.attempt !== id.attempt) return 'stale';
  if (entry.phase === result.phase) return foldBeat(tasks, id.task, entry, result);
  const gate = preAssignmentGate(tasks, entry);
  if (gate !== 'open') return gate === 'wait' ? 'held' : 'stale';
  const event = EVENT_OF[result.phase];
  if (!canApply(entry.phase, event)) return 'stale';
  const { phase: _reported, output, params, ...fields } = result;
  // Its parent has succeeded: the task no longer waits behind it.
  const { phase: _current, after: _after, afterCase: _case, ...kept } = entry;
  const read = readJson(output, params);
  tasks[id.task] = transition(entry, read.unreadable ? 'AttemptFailed' : event, {
    ...kept,
    ...fields,
    ...read.fields,
  });
  return 'folded';
}

/**
 * A running attempt's newer heartbeat count: recorded, and `heartbeatAt`
 * cleared so that the decision stamps it with the operator's clock (the
 * worker's is not trusted for timing). An older or equal count is already in.
 */
function foldBeat(
  tasks: Record<string, TaskStatus>,
  task: string,
  entry: TaskStatus,
  result: AttemptResult,
): FoldOutcome {
  if (entry.phase !== 'Running' || (result.heartbeats ?? 0) <= (entry.heartbeats ?? 0)) {
    return 'already';
  }
  const { heartbeatAt: _seen, ...kept } = entry;
  tasks[task] = transition(entry, 'AttemptBeat', { ...kept, heartbeats: result.heartbeats });
  return 'folded';
}

/** Output and params back from JSON text; an output that is not JSON fails the attempt. */
function readJson(
  output: string | undefined,
  params: string | undefined,
): { unreadable: boolean; fields: Pick<TaskStatus, 'output' | 'params' | 'reason' | 'message'> } {
  const out = output === undefined ? undefined : parseJson(output);
  const par = params === undefined ? undefined : parseJson(params);
  if (out && !out.ok) {
    return {
      unreadable: true,
      fields: { reason: 'ResultRefused', message: 'the reported output is not JSON' },
    };
  }
  return {
    unreadable: false,
    fields: {
      ...(out?.ok ? { output: out.value } : {}),
      ...(par?.ok ? { params: par.value } : {}),
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
