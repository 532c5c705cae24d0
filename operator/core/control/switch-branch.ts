import type { TaskStatus } from '../../api/dag-instance.ts';
import { TERMINAL_TASK_PHASES } from '../../api/dag-instance.ts';
import { phaseOf } from '../task-transitions.ts';
import { celReadsOf } from './cel.ts';
import type { SwitchOutput } from './switch.ts';

/**
 * A switch's branches at chain-hop speed (docs/architecture.md "Chains at
 * in-process speed"): the first task of each branch may be pre-assigned to
 * the worker running the switch's dependency, `afterCase` the switch. The
 * worker evaluates the same `pickCase` to start the branch it expects; the
 * operator still decides the switch, and these rules say what its decision
 * means for each such step.
 */

/** The switch and cases a step pre-assigned behind a switch waits for (status `afterCase`). */
export type AfterCase = NonNullable<TaskStatus['afterCase']>;

/**
 * Once the switch's dependency succeeded: `open` when the switch picked one
 * of the step's cases, `closed` when it picked another or ended without
 * picking, `wait` while the operator has not decided it yet.
 */
export function branchGate(
  tasks: Readonly<Record<string, TaskStatus>>,
  branch: { switch: string; cases: readonly string[] },
): 'open' | 'wait' | 'closed' {
  const entry = tasks[branch.switch];
  const phase = phaseOf(entry);
  if (!TERMINAL_TASK_PHASES.has(phase)) return 'wait';
  const picked = (entry?.output as Partial<SwitchOutput> | undefined)?.selectedCase;
  return phase === 'Succeeded' && picked !== undefined && branch.cases.includes(picked)
    ? 'open'
    : 'closed';
}

/**
 * Whether the worker holding `dependency` sees everything `expression` reads
 * as the operator will when it decides the switch: vars (the worker resolves
 * them as the operator does), share data (read when the dependency ends; a
 * change after that is a mismatch the operator's decision corrects), the
 * dependency's output (in the worker's memory), and other tasks only when
 * they have already finished with an inline output. A computed task key or a
 * macro over `tasks` reads what cannot be known ahead: never pre-assigned.
 */
export function workerSeesSwitchInputs(
  expression: string,
  dependency: string,
  tasks: Readonly<Record<string, TaskStatus>>,
): boolean {
  const reads = celReadsOf(expression);
  if (reads.anyTask) return false;
  return [...reads.tasks].every((id) => {
    if (id === dependency) return true;
    const entry = tasks[id];
    return (
      entry !== undefined &&
      TERMINAL_TASK_PHASES.has(entry.phase) &&
      entry.output !== undefined &&
      entry.outputRef === undefined
    );
  });
}
