import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { ActionSlot } from './action-slots.ts';
import type { ControlSources } from './control/dispatch.ts';
import type { DagGraph } from './graph.ts';
import type { OperationRequest } from './operations.ts';
import type { WorkerView } from './worker-pool.ts';

/** What decide() reads and returns (decide.ts). */
export interface DecideInput extends ControlSources {
  graph: DagGraph;
  status: DagInstanceStatus;
  /** Live workers only. */
  workers: readonly WorkerView[];
  generation: number | undefined;
  now: Date;
  /** The instance's vars (defaults overridden by its own), for preChecks. */
  vars?: Readonly<Record<string, string>>;
  /** Operations asked for and not yet acted on (see operations.ts). */
  operations?: readonly OperationRequest[];
  /** startTime + activeDeadlineSeconds, when the instance has one. */
  deadline?: Date;
  /** Chain steps pre-assigned ahead of a running task (pre-assign.ts); default 2, 0: off. */
  chainLookAhead?: number;
  /** Actions with a cluster-wide concurrency limit, and what this pass may place of each. */
  actionSlots?: ReadonlyMap<string, ActionSlot>;
}

export interface Assignment {
  task: string;
  worker: string;
  attempt: number;
}

export interface Decision {
  status: DagInstanceStatus;
  assigned: Assignment[];
  /** Actions that ready tasks wait for because no live worker has them. */
  waitingFor: string[];
  /** When the decision changes by itself (a retry's backoff ends, the deadline passes). */
  wakeAt?: Date;
}
