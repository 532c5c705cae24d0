import type { DagSpec } from '../api/dag.ts';
import {
  TERMINAL_INSTANCE_PHASES,
  type DagInstanceStatus,
  type InstancePhase,
  type TaskPhase,
  type TaskStatus,
} from '../api/dag-instance.ts';
import { decide, type Decision } from './decide.ts';
import type { DagGraph } from './graph.ts';
import { started } from './instance-start.ts';
import { pendingOperations, type OperationRequest } from './operations.ts';
import {
  heldAttempts,
  nextSignal,
  runHeld,
  simChildren,
  simWorker,
  type SimulatedResults,
} from './simulate-world.ts';
import { validateDag } from './validate-dag.ts';
import { resolveVars } from './vars.ts';

export type { SimulatedResults } from './simulate-world.ts';

/** A Dag run on the operator's decisions with simulated actions (`kubectl fastflow simulate`). */
export interface SimulateInput extends SimulatedResults {
  spec: DagSpec;
  /** The instance's vars (the Dag's defaults fill the rest). */
  vars?: Readonly<Record<string, string>>;
  /** What preChecks and system tasks read as share data. */
  shareData?: Readonly<Record<string, string>>;
  /** The simulated clock's start. */
  start: Date;
  /** Most decide passes before the simulation gives up (a loop that never ends). */
  maxPasses?: number;
}

/** A task's move in a pass, as its entry shows it afterwards. */
export interface SimEvent {
  task: string;
  phase: TaskPhase;
  attempt?: number;
  /** Who moved it: the simulated worker's report, or the operator's decision. */
  by: 'worker' | 'operator';
  reason?: string;
  message?: string;
}

/** One reconcile pass: what the worker reported since the last one, then what was decided. */
export interface SimStep {
  /** 1-based pass number. */
  pass: number;
  at: Date;
  events: SimEvent[];
}

export type SimulateResult =
  | { ok: false; message: string }
  | {
      ok: true;
      /** The instance's phase at the end: terminal, or Blocked/Running when nothing more moves. */
      phase: InstancePhase;
      message?: string;
      /** Passes in which something happened, in order. */
      steps: SimStep[];
      status: DagInstanceStatus;
      /** The pass limit was reached before the instance finished. */
      gaveUp: boolean;
    };

/** Every action attempt takes this long on the simulated clock. */
export const ATTEMPT_MS = 1000;
const DEFAULT_MAX_PASSES = 100_000;

/**
 * Runs a Dag as the operator would, with no cluster: each pass is one
 * decide() (the operator's own, with its retries, preChecks and system
 * tasks), then the simulated worker runs what it was given. The clock is
 * simulated: an attempt takes ATTEMPT_MS, and when nothing runs it jumps to
 * the decision's wakeAt (a retry's backoff, a wait's end), so waits pass at
 * once. Approvals and signal waits get the signal a user would send, through
 * the same operations path. It ends when the instance does, or when nothing
 * can move any more (a task blocked by a preCheck).
 */
export function simulate(input: SimulateInput): SimulateResult {
  const valid = validateDag(input.spec);
  if (!valid.valid) return { ok: false, message: `the Dag is invalid: ${valid.message}` };
  const resolved = resolveVars(input.spec.vars, input.vars ? { ...input.vars } : undefined);
  if (!resolved.ok) return { ok: false, message: resolved.message };
  const { graph } = valid;
  let now = input.start;
  let status = started(undefined, 'simulated', now);
  let annotations: Record<string, string> = {};
  const steps: SimStep[] = [];
  const maxPasses = input.maxPasses ?? DEFAULT_MAX_PASSES;
  for (let pass = 1; pass <= maxPasses; pass++) {
    const reported = runHeld(status, input, now);
    const events = changes(status, reported, 'worker');
    const operations = pendingOperations(annotations, reported.operations);
    const decision = decideWith(input, graph, reported, now, resolved.vars, operations);
    events.push(...changes(reported, decision.status, 'operator'));
    if (events.length > 0) steps.push({ pass, at: now, events });
    status = decision.status;
    const phase = status.phase ?? 'Running';
    if (TERMINAL_INSTANCE_PHASES.has(phase)) return ended(status, steps, false);
    const signal = nextSignal(graph, status, input, `simulate-${pass}`);
    if (signal) annotations = signal;
    const busy = heldAttempts(status).length > 0 || simChildren(status, input) !== undefined;
    if (busy) now = new Date(now.getTime() + ATTEMPT_MS);
    else if (signal) continue;
    else if (decision.wakeAt) now = decision.wakeAt;
    else return ended(status, steps, false);
  }
  return ended(status, steps, true);
}

/** One operator pass, with the simulated worker and children as its live world. */
function decideWith(
  input: SimulateInput,
  graph: DagGraph,
  status: DagInstanceStatus,
  now: Date,
  vars: Record<string, string>,
  operations: OperationRequest[],
): Decision {
  const subDags = simChildren(status, input);
  return decide({
    graph,
    status,
    workers: [simWorker(graph, status)],
    generation: 1,
    now,
    vars,
    ...(input.shareData ? { shareData: input.shareData } : {}),
    ...(subDags ? { subDags } : {}),
    operations,
    // Placement ahead of a parent changes no order; steps read plainer without it.
    chainLookAhead: 0,
  });
}

function ended(status: DagInstanceStatus, steps: SimStep[], gaveUp: boolean): SimulateResult {
  return {
    ok: true,
    phase: status.phase ?? 'Running',
    ...(status.message ? { message: status.message } : {}),
    steps,
    status,
    gaveUp,
  };
}

/** The tasks whose phase or attempt changed between two statuses, as events. */
function changes(
  before: DagInstanceStatus,
  after: DagInstanceStatus,
  by: SimEvent['by'],
): SimEvent[] {
  const was = before.tasks ?? {};
  return Object.entries(after.tasks ?? {}).flatMap(([task, t]) => {
    const old: TaskStatus | undefined = was[task];
    if (old?.phase === t.phase && old.attempt === t.attempt) return [];
    // An assignment that could not be made leaves the task Pending: no move to show.
    if (old === undefined && t.phase === 'Pending') return [];
    return [
      {
        task,
        phase: t.phase,
        ...(t.attempt !== undefined ? { attempt: t.attempt } : {}),
        by,
        ...(t.reason ? { reason: t.reason } : {}),
        ...(t.message ? { message: t.message } : {}),
      },
    ];
  });
}
