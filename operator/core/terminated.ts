import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import type { OperationRequest } from './operations.ts';

type Terminated = NonNullable<DagInstanceStatus['terminated']>;

/**
 * A terminate task ended the instance on purpose. What undoes that is a
 * run that decides the terminate again: a restart, or a rerun from it or a
 * task before it. Operations that would only reopen tasks it ended (retry,
 * continue, skip), or act on a run that is over (cancel, signal), are
 * refused saying so, never applied with nothing moving after.
 */
export function refusedAfterTerminate(
  op: OperationRequest,
  terminated: Terminated | undefined,
): string | undefined {
  const why = terminated === undefined ? undefined : ONLY_IN_A_RUN[op.name];
  if (terminated === undefined || why === undefined) return undefined;
  return `${endedBy(terminated)}: ${why}; to run it again, ${howToRunAgain(terminated)}`;
}

/** Pause and resume are refused as on any finished instance; restart and rerun may run it again. */
const ONLY_IN_A_RUN: Readonly<Record<string, string>> = {
  retry: 'a retry would reopen tasks its end stopped, and the end would stand',
  continue: 'a continue would reopen a task its end stopped, and the end would stand',
  skip: 'a skip changes nothing in a run that is over',
  cancel: 'nothing is left to cancel',
  signal: 'nothing waits for a signal any more',
};

function howToRunAgain(t: Terminated): string {
  return `rerun from ${t.task} or a task before it, or restart`;
}

function endedBy(t: Terminated): string {
  return `the instance was ended by terminate task "${t.task}" (${t.phase}${t.reason ? `: ${t.reason}` : ''})`;
}

/**
 * The tasks a restart or rerun runs again once the instance had been
 * terminated: those asked for, and the tasks the terminate ended (they were
 * canceled by its decision, which is now taken again); or why not, when the
 * terminate task is not among them (its end would stand).
 */
export function againAfterTerminate(
  terminated: Terminated | undefined,
  again: readonly string[],
  order: readonly string[],
  tasks: Readonly<Record<string, TaskStatus>>,
): { again: string[] } | { refused: string } {
  if (terminated === undefined) return { again: [...again] };
  if (!again.includes(terminated.task)) {
    const why = 'running only tasks it does not follow would not undo that';
    return { refused: `${endedBy(terminated)}: ${why}; ${howToRunAgain(terminated)}` };
  }
  const ended = order.filter((id) => tasks[id]?.reason === 'Terminated' && !again.includes(id));
  return { again: [...again, ...ended] };
}
