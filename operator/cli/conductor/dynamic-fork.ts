/**
 * FORK_JOIN_DYNAMIC → a task with `forEach`. The forms that name one task
 * (`forkTaskName`, or `forkTaskWorkflow`) run once per item of
 * `forkTaskInputs`; the form that takes a run-time list of arbitrary task
 * definitions (`dynamicForkTasksParam`) has no equivalent: a Dag's tasks are
 * known when it is applied.
 */
import { isRecord } from '../migrate-findings.ts';
import { dagName } from '../migrate-convert.ts';
import type { Conversion, Path } from './context.ts';
import { placeholder, type TypePart } from './placeholder.ts';

type Task = Record<string, unknown>;

/** What each copy gets: the item (Conductor gave it as the copy's whole input). */
export const FOR_EACH_PARAMS = { item: '{{item}}', index: '{{itemIndex}}' };

export function dynamicFork(task: Task, at: Path, conv: Conversion, ref: string): TypePart {
  const inputs = isRecord(task['inputParameters']) ? task['inputParameters'] : {};
  const inputsAt = [...at, 'inputParameters'];
  const refuse = (path: Path, why: string): TypePart => {
    conv.problem(
      path,
      `dynamic fork "${ref}" does not convert: ${why}; it was written as an action task of its name`,
      ref,
    );
    return placeholder(task, inputs, inputsAt, conv, ref, 'FORK_JOIN_DYNAMIC');
  };
  if (task['dynamicForkTasksParam'] !== undefined) {
    return refuse(
      [...at, 'dynamicForkTasksParam'],
      "it forks a list of task definitions made at run time; a Dag's tasks are fixed when it is applied: fork one task (forkTaskName + forkTaskInputs) or a sub-workflow (forkTaskWorkflow)",
    );
  }
  const items = inputs['forkTaskInputs'];
  if (items === undefined) return refuse(inputsAt, 'no forkTaskInputs (the list to fork over)');
  const cel = conv.cel(items);
  if ('error' in cel) return refuse([...inputsAt, 'forkTaskInputs'], cel.error);
  // A var (a string) may hold a list's JSON text; a literal string is no list.
  const literal = typeof items === 'string' && !items.includes('${');
  if (literal || (cel.kind !== 'list' && cel.kind !== 'dyn' && cel.kind !== 'string')) {
    return refuse([...inputsAt, 'forkTaskInputs'], 'forkTaskInputs is not a list');
  }
  const forEach = { items: cel.cel };
  return typeof inputs['forkTaskWorkflow'] === 'string'
    ? forkWorkflow(inputs, inputsAt, conv, forEach, refuse)
    : forkTask(inputs, inputsAt, conv, ref, forEach, refuse);
}

type Refuse = (path: Path, why: string) => TypePart;

/** forkTaskWorkflow: one child Dag per item, given the item as vars. */
function forkWorkflow(
  inputs: Record<string, unknown>,
  inputsAt: Path,
  conv: Conversion,
  forEach: { items: string },
  refuse: Refuse,
): TypePart {
  const workflow = String(inputs['forkTaskWorkflow']);
  const child = workflow.includes('${') ? undefined : dagName(workflow);
  if (child === undefined) {
    return refuse([...inputsAt, 'forkTaskWorkflow'], 'the workflow to fork must be fixed');
  }
  if (inputs['forkTaskWorkflowVersion'] !== undefined) {
    conv.note(
      [...inputsAt, 'forkTaskWorkflowVersion'],
      'a Dag has one version: each child runs the Dag as it is',
    );
  }
  return { type: 'subDag', forEach, subDag: { dagName: child, vars: { ...FOR_EACH_PARAMS } } };
}

/** forkTaskName (+ forkTaskType SIMPLE): one copy of the action per item. */
function forkTask(
  inputs: Record<string, unknown>,
  inputsAt: Path,
  conv: Conversion,
  ref: string,
  forEach: { items: string },
  refuse: Refuse,
): TypePart {
  const name = inputs['forkTaskName'];
  if (typeof name !== 'string' || name === '' || name.includes('${')) {
    return refuse(
      [...inputsAt, 'forkTaskName'],
      'the task to fork must be named (forkTaskName), fixed',
    );
  }
  const type = inputs['forkTaskType'] ?? 'SIMPLE';
  if (type !== 'SIMPLE') {
    return refuse(
      [...inputsAt, 'forkTaskType'],
      `forking a ${JSON.stringify(type)} task has no equivalent (SIMPLE and sub-workflows do)`,
    );
  }
  conv.note(
    inputsAt,
    `dynamic fork "${ref}": each copy of action ${name} gets its item as params.item (Conductor gave the item as the whole input) and its index as params.index`,
  );
  return { actionName: name, forEach, params: { ...FOR_EACH_PARAMS } };
}
