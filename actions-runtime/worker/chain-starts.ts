import { ACTIVE_TASK_PHASES, type DagInstanceStatus } from '../../operator/api/dag-instance.ts';
import { attemptKey, parseAttemptKey } from '../../operator/api/task-result.ts';
import { branchGate } from '../../operator/core/control/switch-branch.ts';
import type { InstanceView } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';
import type { PickCase } from './switch-pick.ts';

/** How a finished local attempt ended, as far as its successor cares. */
export type LocalOutcome = { ok: true; output?: unknown } | { ok: false };

/** Starts an attempt on this worker (its concurrency slot, its report). */
export type Launch = (a: LocalAttempt, view: InstanceView) => void;

/**
 * The worker's half of chains at in-process speed (docs/architecture.md): an
 * attempt the operator pre-assigned here `after` a parent's attempt waits
 * for that parent, and starts in this process the moment the parent's action
 * returns successfully, its params rendered from the parent's output held in
 * memory. It is never started after a parent that failed (the operator puts
 * it back to Pending). Outcomes of finished attempts are kept until the
 * instance's status shows them folded, so a successor pre-assigned after its
 * parent already finished here still starts at once. An attempt behind a
 * switch (`afterCase`) starts when the parent succeeds only if the switch,
 * evaluated here (switch-pick.ts), picks its case; else it waits for the
 * status to show the operator's own decision of the switch picking it.
 */
export class ChainStarts {
  readonly #launch: Launch;
  readonly #pick: PickCase | undefined;
  /** By the parent's `<namespace>/<instance>/<task>@<attempt>` (a switch's branches: several). */
  readonly #waiting = new Map<string, LocalAttempt[]>();
  /** Finished attempts not yet seen folded, by the same key. */
  readonly #outcomes = new Map<string, LocalOutcome>();
  /** The newest view of each instance with a waiting successor or a kept outcome. */
  readonly #views = new Map<string, InstanceView>();

  constructor(launch: Launch, pick?: PickCase) {
    this.#launch = launch;
    this.#pick = pick;
  }

  /** A newly assigned attempt with `after`: started now, dropped, or held for its parent. */
  hold(a: LocalAttempt, view: InstanceView): void {
    if (a.after === undefined) return this.#launch(a, view);
    const inst = instanceKey(a);
    this.#views.set(inst, view);
    const parent = `${inst}/${a.after}`;
    const known = this.#outcomes.get(parent);
    if (known && !known.ok) {
      a.state = 'done';
      return;
    }
    if ((known?.ok && a.afterCase === undefined) || mayStart(view.status, a)) return this.#start(a);
    this.#waiting.set(parent, [...(this.#waiting.get(parent) ?? []), a]);
    // Taken away while waiting (voided, canceled): it never runs, so it is done.
    a.abort.signal.addEventListener(
      'abort',
      () => {
        if (this.#unwait(parent, a)) a.state = 'done';
      },
      { once: true },
    );
    if (known?.ok) this.#branchesAfter(parent, [a], known.output);
  }

  /** Takes `a` off the list of `parent`; false when it was not waiting there. */
  #unwait(parent: string, a: LocalAttempt): boolean {
    const list = this.#waiting.get(parent) ?? [];
    if (!list.includes(a)) return false;
    const rest = list.filter((x) => x !== a);
    if (rest.length > 0) this.#waiting.set(parent, rest);
    else this.#waiting.delete(parent);
    return true;
  }

  /**
   * The parent succeeded here: the switch after it is evaluated once, and
   * the branch steps it picks start; the others wait for the operator.
   */
  #branchesAfter(parent: string, branches: LocalAttempt[], output: unknown): void {
    const first = branches[0];
    const view = first && this.#views.get(instanceKey(first));
    if (!first || !view || !this.#pick) return;
    this.#pick(first, view, output).then(
      (picked) => {
        if (picked === undefined) return;
        for (const b of branches) {
          if (b.afterCase?.cases.includes(picked) && this.#unwait(parent, b)) this.#start(b);
        }
      },
      // Could not evaluate it here (a revision or share data read failed): the operator decides.
      () => undefined,
    );
  }

  /** Whether an attempt waits for `a`: its report then waits a moment for the successor's. */
  hasSuccessor(a: LocalAttempt): boolean {
    return this.#waiting.has(`${instanceKey(a)}/${attemptKey(a.task, a.attempt)}`);
  }

  /** `a`'s action ended: its successor starts at once if it succeeded, never if not. */
  finished(a: LocalAttempt, outcome: LocalOutcome): void {
    const key = `${instanceKey(a)}/${attemptKey(a.task, a.attempt)}`;
    this.#outcomes.set(key, outcome);
    const next = this.#waiting.get(key) ?? [];
    const plain = next.filter((w) => w.afterCase === undefined || !outcome.ok);
    for (const w of plain) {
      this.#unwait(key, w);
      if (outcome.ok) this.#start(w);
      else w.state = 'done';
    }
    const branches = next.filter((w) => !plain.includes(w));
    if (branches.length > 0 && outcome.ok) this.#branchesAfter(key, branches, outcome.output);
  }

  /**
   * The instance as the watch shows it now: successors whose parent shows
   * Succeeded there start (a parent this worker did not see end), outcomes
   * folded into the status are forgotten.
   */
  observe(namespace: string, instance: string, view: InstanceView): void {
    const inst = `${namespace}/${instance}`;
    for (const key of this.#outcomes.keys()) {
      if (!key.startsWith(`${inst}/`)) continue;
      const id = parseAttemptKey(key.slice(inst.length + 1));
      const entry = id && view.status.tasks?.[id.task];
      // Kept while the status still shows the attempt unfinished: its output is not there yet.
      if (entry && entry.attempt === id?.attempt && ACTIVE_TASK_PHASES.has(entry.phase)) continue;
      this.#outcomes.delete(key);
    }
    const mine = [...this.#waiting].filter(([k]) => k.startsWith(`${inst}/`));
    if (mine.length === 0 && !this.#hasOutcomes(inst)) {
      this.#views.delete(inst);
      return;
    }
    this.#views.set(inst, view);
    for (const [key, list] of mine) {
      for (const w of list) {
        if (!mayStart(view.status, w)) continue;
        this.#unwait(key, w);
        this.#start(w);
      }
    }
  }

  /** The instance is gone from this worker's watch. */
  forgetInstance(namespace: string, instance: string): void {
    const inst = `${namespace}/${instance}/`;
    for (const key of [...this.#waiting.keys(), ...this.#outcomes.keys()]) {
      if (!key.startsWith(inst)) continue;
      this.#waiting.delete(key);
      this.#outcomes.delete(key);
    }
    this.#views.delete(`${namespace}/${instance}`);
  }

  #hasOutcomes(inst: string): boolean {
    for (const k of this.#outcomes.keys()) if (k.startsWith(`${inst}/`)) return true;
    return false;
  }

  /** Launches `a` with the outputs of this worker's finished attempts the status lacks yet. */
  #start(a: LocalAttempt): void {
    const inst = instanceKey(a);
    const view = this.#views.get(inst);
    if (!view) return;
    const tasks = { ...view.status.tasks };
    for (const [key, outcome] of this.#outcomes) {
      const id = key.startsWith(`${inst}/`)
        ? parseAttemptKey(key.slice(inst.length + 1))
        : undefined;
      const entry = id && tasks[id.task];
      if (!outcome.ok || !entry || entry.attempt !== id.attempt || entry.phase === 'Succeeded')
        continue;
      tasks[id.task] = {
        ...entry,
        phase: 'Succeeded',
        ...(outcome.output !== undefined ? { output: outcome.output } : {}),
      };
    }
    this.#launch(a, { ...view, status: { ...view.status, tasks } });
  }
}

function instanceKey(a: LocalAttempt): string {
  return `${a.namespace}/${a.instance}`;
}

/** The status shows `a`'s parent succeeded (and, behind a switch, the switch picked its case). */
function mayStart(status: DagInstanceStatus, a: LocalAttempt): boolean {
  if (a.after === undefined || !parentSucceeded(status, a.after)) return false;
  return a.afterCase === undefined || branchGate(status.tasks ?? {}, a.afterCase) === 'open';
}

function parentSucceeded(status: DagInstanceStatus, after: string): boolean {
  const id = parseAttemptKey(after);
  const entry = id && status.tasks?.[id.task];
  return entry?.phase === 'Succeeded' && entry.attempt === id?.attempt;
}
