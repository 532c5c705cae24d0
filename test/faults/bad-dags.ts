/** R6's bad Dags: wrong types, values out of range, bad ids, names at and past each length limit. */
import { MAX_TASKS } from '../../operator/api/dag.ts';
import {
  CYCLE,
  dnsName,
  manyVars,
  oneTask,
  print,
  withTask,
  x,
  type BadInput,
  type Expect,
} from './bad-input-case.ts';

// The tables below keep one case a line (prettier-ignore): a row is data, not code.

/** A case: what it sends, what becomes of it, the field its message names, the spec. */
type Row = [id: string, input: string, expect: Expect, field: string, spec: unknown];

const tasks = (...t: unknown[]): { tasks: unknown[] } => ({ tasks: t });
const vars = (v: Record<string, unknown>): Record<string, unknown> => withTask({ vars: v });
const preCheck = (act: string, ...conditions: unknown[]): Record<string, unknown> => ({
  preCheck: { c: { act, conditions } },
});
const condition = (source: string, op: string): unknown => ({
  source,
  key: 'k',
  op,
  values: ['v'],
});
const backoff = (b: Record<string, number | string>): Record<string, unknown> => ({
  retry: { limit: 1, backoff: b },
});
const TOO_MANY = tasks(...Array.from({ length: MAX_TASKS + 1 }, (_, i) => print(`t${i}`)));

// prettier-ignore
const SPECS: Row[] = [
  ['no-tasks', 'spec without tasks', 'refused', 'spec.tasks', {}],
  ['empty-tasks', 'tasks: []', 'refused', 'spec.tasks', tasks()],
  ['tasks-object', 'tasks as an object', 'refused', 'spec.tasks', { tasks: { a: {} } }],
  ['task-without-id', 'a task without id', 'refused', 'id', tasks({ actionName: 'print' })],
  ['task-without-action', 'a task without actionName', 'refused', 'actionName', tasks({ id: 'a' })],
  ['switch-bad-cel', 'a switch expression that does not parse', 'invalid', 'switch', tasks({ id: 's', type: 'switch', switch: { expression: 'vars.x ==', cases: {} } })],
  ['switch-unknown-branch', 'a switch case naming no task', 'invalid', 'ghost', tasks({ id: 's', type: 'switch', switch: { expression: '"a"', cases: { a: ['ghost'] } } })],
  ['setvars-undeclared', 'setVars of an undeclared var', 'invalid', 'setVars', tasks({ id: 's', type: 'setVars', setVars: { nope: 'x' } })],
  ['action-empty', 'actionName ""', 'refused', 'actionName', oneTask({ actionName: '' })],
  ['duplicate-ids', 'two tasks with id a', 'refused', 'spec.tasks', tasks(print('a'), print('a'))],
  ['depend-on-unknown', 'dependOn names no task', 'invalid', 'dependOn', oneTask({ dependOn: ['ghost'] })],
  ['cycle', 'a → b → a', 'invalid', 'cycle', CYCLE],
  ['template-undeclared-var', 'params use {{nope}}, no such var', 'invalid', 'nope', oneTask({ params: { v: '{{nope}}' } })],
  ['template-unclosed', 'params use "{{a"', 'invalid', 'params', oneTask({ params: { v: '{{a' } })],
  ['spec-unknown-field', 'spec.owner (no such field)', 'refused', 'owner', withTask({ owner: 'me' })],
  ['status-bad-enum', 'status: paused', 'refused', 'spec.status', withTask({ status: 'paused' })],
  ['depend-on-self', 'a task that depends on itself', 'invalid', 'tasks[0].dependOn', oneTask({ dependOn: ['a'] })],
  ['precheck-no-conditions', 'preCheck with no conditions', 'invalid', 'conditions', oneTask(preCheck('skip'))],
  ['var-name-digit', 'var named 1x', 'invalid', 'spec.vars', vars({ '1x': {} })],
  ['var-unknown-field', 'var with field "type"', 'refused', 'type', vars({ v: { type: 'int' } })],
  ['var-default-number', 'var defaultValue 5', 'refused', 'defaultValue', vars({ v: { defaultValue: 5 } })],
  ['vars-129', '129 vars', 'refused', 'spec.vars', vars(manyVars(129, {}))],
  ['tasks-too-many', `${MAX_TASKS + 1} tasks`, 'refused', 'spec.tasks', TOO_MANY],
  ['created-at-string', 'createdAt "yesterday"', 'refused', 'spec.createdAt', withTask({ createdAt: 'yesterday' })],
];

/** Refused: the one task with `more` merged in, a field of the wrong type (the input shows it). */
const WRONG_TYPES: [id: string, field: string, more: Record<string, unknown>][] = [
  ['task-id-number', 'tasks[0].id', { id: 7 }],
  ['action-name-number', 'tasks[0].actionName', { actionName: 7 }],
  ['action-name-list', 'tasks[0].actionName', { actionName: ['print'] }],
  ['depend-on-string', 'tasks[0].dependOn', { dependOn: 'b' }],
  ['depend-on-numbers', 'tasks[0].dependOn[0]', { dependOn: [1] }],
  ['params-string', 'tasks[0].params', { params: 'x' }],
  ['params-list', 'tasks[0].params', { params: [1, 2] }],
  ['timeout-string', 'tasks[0].timeoutSecs', { timeoutSecs: '10' }],
  ['timeout-float', 'tasks[0].timeoutSecs', { timeoutSecs: 1.5 }],
  ['retry-string', 'tasks[0].retry', { retry: '3' }],
  ['retry-limit-string', 'tasks[0].retry.limit', { retry: { limit: 'x' } }],
  ['backoff-seconds-string', 'tasks[0].retry.backoff.seconds', backoff({ seconds: 'x' })],
  ['name-number', 'tasks[0].name', { name: 5 }],
  ['desc-object', 'tasks[0].desc', { desc: { a: 1 } }],
  ['precheck-string', 'preCheck', { preCheck: 'x' }],
];

/** Refused: the one task with a value out of range or a field unknown (the input shows it). */
// prettier-ignore
const OUT_OF_RANGE: [id: string, field: string, more: Record<string, unknown>][] = [
  ['timeout-negative', 'tasks[0].timeoutSecs', { timeoutSecs: -1 }],
  ['timeout-past-7-days', 'tasks[0].timeoutSecs', { timeoutSecs: 7 * 24 * 3600 + 1 }],
  ['retry-limit-negative', 'tasks[0].retry.limit', { retry: { limit: -1 } }],
  ['retry-limit-101', 'tasks[0].retry.limit', { retry: { limit: 101 } }],
  ['retry-limit-missing', 'tasks[0].retry.limit', { retry: {} }],
  ['backoff-negative', 'tasks[0].retry.backoff.seconds', backoff({ seconds: -1 })],
  ['backoff-factor-below-1', 'tasks[0].retry.backoff.factor', backoff({ factor: 0.5 })],
  ['backoff-max-past-1-day', 'tasks[0].retry.backoff.maxSeconds', backoff({ maxSeconds: 86401 })],
  ['retry-unknown-field', 'tasks[0].retry.tries', { retry: { limit: 1, tries: 2 } }],
  ['task-unknown-field', 'tasks[0].command', { command: 'rm -rf /' }],
  ['depend-on-bad-id', 'tasks[0].dependOn[0]', { dependOn: ['b/c'] }],
  ['depend-on-too-many', 'tasks[0].dependOn', { dependOn: TOO_MANY.tasks.map((_, i) => `d${i}`) }],
  ['precheck-bad-act', 'act', preCheck('explode', condition('vars', 'eq'))],
  ['precheck-bad-op', 'op', preCheck('skip', condition('vars', 'like'))],
  ['precheck-bad-source', 'source', preCheck('skip', condition('env', 'eq'))],
];

/** Refused: task ids the schema's pattern does not let through. */
// prettier-ignore
const TASK_IDS: [id: string, value: string][] = [
  ['empty', ''], ['slash', 'a/b'], ['space', 'a b'], ['leading-dash', '-a'], ['trailing-dot', 'a.'], ['bracket', 'a[1]'],
];

/**
 * (case, field, limit, build the Dag spec with a value of length n, and what
 * becomes of "past" and of "at" when not refused and succeeded): var names
 * are map keys, which the CRD schema cannot check, so the operator does.
 */
type Limit = [string, string, number, (v: string) => unknown, Expect?, [Expect, string]?];
// prettier-ignore
const LENGTH_LIMITS: Limit[] = [
  ['task-id', 'tasks[0].id', 63, (v) => oneTask({ id: v })],
  ['action-name', 'tasks[0].actionName', 253, (v) => oneTask({ actionName: v }), 'refused', ['waiting', 'action']],
  ['task-name', 'tasks[0].name', 253, (v) => oneTask({ name: v })],
  ['task-desc', 'tasks[0].desc', 1024, (v) => oneTask({ desc: v })],
  ['dag-desc', 'spec.desc', 4096, (v) => withTask({ desc: v })],
  ['dag-id-field', 'spec.id', 253, (v) => withTask({ id: v })],
  ['var-name', 'spec.vars', 63, (v) => vars({ [v]: { defaultValue: 'x' } }), 'invalid'],
  ['var-default', 'defaultValue', 8192, (v) => vars({ v: { defaultValue: v } })],
  ['var-desc', 'desc', 1024, (v) => vars({ v: { desc: v, defaultValue: 'x' } })],
];

// prettier-ignore
const lengthRows = ([id, field, limit, build, past = 'refused', at]: Limit): Row[] => [
  [`${id}-at-limit`, `${id} of ${limit} characters`, at?.[0] ?? 'succeeded', at?.[1] ?? '', build(x(limit))],
  [`${id}-past-limit`, `${id} of ${limit + 1} characters`, past, field, build(x(limit + 1))],
];

/** Dag names: at and past the 253 characters of a DNS subdomain, and not lower case. */
// prettier-ignore
const NAMES: [...Row, name: string][] = [
  ['dag-name-at-limit', 'Dag name of 253 characters', 'succeeded', '', oneTask(), dnsName(253)],
  ['dag-name-past-limit', 'Dag name of 254 characters', 'refused', 'metadata.name', oneTask(), dnsName(254)],
  ['dag-name-uppercase', 'Dag name "Bad"', 'refused', 'metadata.name', oneTask(), 'Bad'],
];

const taskRow = (id: string, input: string, field: string, more: Record<string, unknown>): Row => [
  id,
  input,
  'refused',
  field,
  oneTask(more),
];

const dagCase = ([id, input, expect, field, spec, name]: [...Row, string?]): BadInput => ({
  id,
  group: 'Dag',
  input,
  expect,
  field,
  dag: name === undefined ? { spec } : { name, spec },
});

export function dagCases(): BadInput[] {
  const rows: [...Row, string?][] = [
    ...SPECS,
    ...WRONG_TYPES.map(([id, field, more]) =>
      taskRow(id, `${field}: ${JSON.stringify(Object.values(more)[0])}`, field, more),
    ),
    ...OUT_OF_RANGE.map(([id, field, more]) =>
      taskRow(id, JSON.stringify(more).slice(0, 80), field, more),
    ),
    ...TASK_IDS.map(([id, v]) =>
      taskRow(`task-id-${id}`, `task id ${JSON.stringify(v)}`, 'tasks[0].id', { id: v }),
    ),
    ...LENGTH_LIMITS.flatMap(lengthRows),
    ...NAMES,
  ];
  return rows.map(dagCase);
}
