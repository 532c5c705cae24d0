import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { mayHoldChainWrite } from '../core/chain-hold.ts';
import { isFoldOnly } from '../core/fold-hold.ts';
import type { DagGraph } from '../core/graph.ts';
import { mergePatchDiff } from '../core/merge-patch.ts';
import { isProgressOnly } from '../core/progress-only.ts';

/** The most often a write that may wait is made for one instance. */
const HOLD_MS = 1000;

/**
 * Which status writes wait, and how long: one that would only report
 * progress, only fold in the workers' own reports and hand out nothing
 * (core/fold-hold.ts), or only move pre-assigned chains whose workers have
 * steps ahead (core/chain-hold.ts), waits until a second after the instance's
 * last write by this process (a process that has not written it yet writes
 * at once). A held fold is not lost on a crash: its results stay in the
 * TaskResults until a written status shows them folded.
 */
export class WriteHold {
  /** When each running instance's status was last written by this process. */
  readonly #lastWrite = new Map<string, number>();
  readonly #lookAhead: number;

  constructor(lookAhead: number) {
    this.#lookAhead = lookAhead;
  }

  /** How long the write from `from` to `to` waits (0: write now). */
  wait(
    key: string,
    graph: DagGraph,
    from: DagInstanceStatus,
    to: DagInstanceStatus,
    now: Date,
  ): number {
    const lookAhead = this.#lookAhead;
    const diff = mergePatchDiff(from, to);
    const chainOnly = () =>
      mayHoldChainWrite({ graph, written: from, decided: to, lookAhead, diff });
    if (!isProgressOnly(diff) && !isFoldOnly(diff, from, to) && !chainOnly()) return 0;
    const last = this.#lastWrite.get(key);
    return last === undefined ? 0 : Math.max(0, last + HOLD_MS - now.getTime());
  }

  wrote(key: string, now: Date): void {
    this.#lastWrite.set(key, now.getTime());
  }

  /** The instance finished or is gone. */
  forget(key: string): void {
    this.#lastWrite.delete(key);
  }
}
