/** R6's bad Dags: wrong types, values out of range, bad ids, names at and past each length limit. */
import { MAX_TASKS } from '../../operator/api/dag.ts';
import { dnsName, oneTask, print, x, type BadInput, type Expect } from './bad-input-case.ts';

function dagCase(
  id: string,
  input: string,
  expect: Expect,
  field: string,
  spec: unknown,
): BadInput {
  return { id, group: 'Dag', input, expect, field, dag: { spec } };
}

/** A Dag whose one task has `more` merged in (wrong types, bad values). */
const taskCase = (
  id: string,
  input: string,
  field: string,
  more: Record<string, unknown>,
): BadInput => dagCase(id, input, 'refused', field, oneTask(more));

const WRONG_TYPES: [string, string, Record<string, unknown>][] = [
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
  [
    'backoff-seconds-string',
    'tasks[0].retry.backoff.seconds',
    { retry: { limit: 1, backoff: { seconds: 'x' } } },
  ],
  ['name-number', 'tasks[0].name', { name: 5 }],
  ['desc-object', 'tasks[0].desc', { desc: { a: 1 } }],
  ['precheck-string', 'preCheck', { preCheck: 'x' }],
];

const OUT_OF_RANGE: [string, string, Record<string, unknown>][] = [
  ['timeout-negative', 'tasks[0].timeoutSecs', { timeoutSecs: -1 }],
  ['timeout-past-7-days', 'tasks[0].timeoutSecs', { timeoutSecs: 7 * 24 * 3600 + 1 }],
  ['retry-limit-negative', 'tasks[0].retry.limit', { retry: { limit: -1 } }],
  ['retry-limit-101', 'tasks[0].retry.limit', { retry: { limit: 101 } }],
  ['retry-limit-missing', 'tasks[0].retry.limit', { retry: {} }],
  [
    'backoff-negative',
    'tasks[0].retry.backoff.seconds',
    { retry: { limit: 1, backoff: { seconds: -1 } } },
  ],
  [
    'backoff-factor-below-1',
    'tasks[0].retry.backoff.factor',
    { retry: { limit: 1, backoff: { factor: 0.5 } } },
  ],
  [
    'backoff-max-past-1-day',
    'tasks[0].retry.backoff.maxSeconds',
    { retry: { limit: 1, backoff: { maxSeconds: 86401 } } },
  ],
  ['retry-unknown-field', 'tasks[0].retry.tries', { retry: { limit: 1, tries: 2 } }],
  ['task-unknown-field', 'tasks[0].command', { command: 'rm -rf /' }],
  ['depend-on-bad-id', 'tasks[0].dependOn[0]', { dependOn: ['b/c'] }],
  [
    'depend-on-too-many',
    'tasks[0].dependOn',
    { dependOn: Array.from({ length: MAX_TASKS + 1 }, (_, i) => `d${i}`) },
  ],
  [
    'precheck-bad-act',
    'act',
    {
      preCheck: {
        c: { act: 'explode', conditions: [{ source: 'vars', key: 'k', op: 'eq', values: ['v'] }] },
      },
    },
  ],
  [
    'precheck-bad-op',
    'op',
    {
      preCheck: {
        c: { act: 'skip', conditions: [{ source: 'vars', key: 'k', op: 'like', values: ['v'] }] },
      },
    },
  ],
  [
    'precheck-bad-source',
    'source',
    {
      preCheck: {
        c: { act: 'skip', conditions: [{ source: 'env', key: 'k', op: 'eq', values: ['v'] }] },
      },
    },
  ],
];

const TASK_IDS: [string, string, string][] = [
  ['task-id-empty', 'tasks[0].id', ''],
  ['task-id-slash', 'tasks[0].id', 'a/b'],
  ['task-id-space', 'tasks[0].id', 'a b'],
  ['task-id-leading-dash', 'tasks[0].id', '-a'],
  ['task-id-trailing-dot', 'tasks[0].id', 'a.'],
  ['task-id-bracket', 'tasks[0].id', 'a[1]'],
];

/**
 * (case, field, limit, build the Dag spec with a value of length n, and what
 * becomes of "past" and of "at" when not refused and succeeded): var names
 * are map keys, which the CRD schema cannot check, so the operator does.
 */
type Limit = [string, string, number, (v: string) => unknown, Expect?, [Expect, string]?];
const LENGTH_LIMITS: Limit[] = [
  ['task-id', 'tasks[0].id', 63, (v) => ({ tasks: [print(v)] })],
  [
    'action-name',
    'tasks[0].actionName',
    253,
    (v) => ({ tasks: [{ id: 'a', actionName: v }] }),
    'refused',
    ['waiting', 'action'],
  ],
  ['task-name', 'tasks[0].name', 253, (v) => oneTask({ name: v })],
  ['task-desc', 'tasks[0].desc', 1024, (v) => oneTask({ desc: v })],
  ['dag-desc', 'spec.desc', 4096, (v) => ({ desc: v, ...oneTask() })],
  ['dag-id-field', 'spec.id', 253, (v) => ({ id: v, ...oneTask() })],
  [
    'var-name',
    'spec.vars',
    63,
    (v) => ({ vars: { [v]: { defaultValue: 'x' } }, ...oneTask() }),
    'invalid',
  ],
  [
    'var-default',
    'defaultValue',
    8192,
    (v) => ({ vars: { v: { defaultValue: v } }, ...oneTask() }),
  ],
  [
    'var-desc',
    'desc',
    1024,
    (v) => ({ vars: { v: { desc: v, defaultValue: 'x' } }, ...oneTask() }),
  ],
];

function lengthCases(): BadInput[] {
  return LENGTH_LIMITS.flatMap(([id, field, limit, build, past = 'refused', at]) => [
    dagCase(
      `${id}-at-limit`,
      `${id} of ${limit} characters`,
      at?.[0] ?? 'succeeded',
      at?.[1] ?? '',
      build(x(limit)),
    ),
    dagCase(
      `${id}-past-limit`,
      `${id} of ${limit + 1} characters`,
      past,
      field,
      build(x(limit + 1)),
    ),
  ]);
}

export function dagCases(): BadInput[] {
  return [
    dagCase('no-tasks', 'spec without tasks', 'refused', 'spec.tasks', {}),
    dagCase('empty-tasks', 'tasks: []', 'refused', 'spec.tasks', { tasks: [] }),
    dagCase('tasks-object', 'tasks as an object', 'refused', 'spec.tasks', { tasks: { a: {} } }),
    dagCase('task-without-id', 'a task without id', 'refused', 'id', {
      tasks: [{ actionName: 'print' }],
    }),
    dagCase('task-without-action', 'a task without actionName', 'refused', 'actionName', {
      tasks: [{ id: 'a' }],
    }),
    dagCase('switch-bad-cel', 'a switch expression that does not parse', 'invalid', 'switch', {
      tasks: [{ id: 's', type: 'switch', switch: { expression: 'vars.x ==', cases: {} } }],
    }),
    dagCase('switch-unknown-branch', 'a switch case naming no task', 'invalid', 'ghost', {
      tasks: [{ id: 's', type: 'switch', switch: { expression: '"a"', cases: { a: ['ghost'] } } }],
    }),
    dagCase('setvars-undeclared', 'setVars of an undeclared var', 'invalid', 'setVars', {
      tasks: [{ id: 's', type: 'setVars', setVars: { nope: 'x' } }],
    }),
    dagCase('action-empty', 'actionName ""', 'refused', 'actionName', {
      tasks: [{ id: 'a', actionName: '' }],
    }),
    dagCase('duplicate-ids', 'two tasks with id a', 'refused', 'spec.tasks', {
      tasks: [print('a'), print('a')],
    }),
    dagCase('depend-on-unknown', 'dependOn names no task', 'invalid', 'dependOn', {
      tasks: [print('a', { dependOn: ['ghost'] })],
    }),
    dagCase('cycle', 'a → b → a', 'invalid', 'cycle', {
      tasks: [print('a', { dependOn: ['b'] }), print('b', { dependOn: ['a'] })],
    }),
    dagCase(
      'template-undeclared-var',
      'params use {{nope}}, no such var',
      'invalid',
      'nope',
      oneTask({ params: { v: '{{nope}}' } }),
    ),
    dagCase(
      'template-unclosed',
      'params use "{{a"',
      'invalid',
      'params',
      oneTask({ params: { v: '{{a' } }),
    ),
    dagCase('spec-unknown-field', 'spec.owner (no such field)', 'refused', 'owner', {
      owner: 'me',
      ...oneTask(),
    }),
    dagCase('status-bad-enum', 'status: paused', 'refused', 'spec.status', {
      status: 'paused',
      ...oneTask(),
    }),
    dagCase('depend-on-self', 'a task that depends on itself', 'invalid', 'tasks[0].dependOn', {
      tasks: [print('a', { dependOn: ['a'] })],
    }),
    dagCase('precheck-no-conditions', 'preCheck with no conditions', 'invalid', 'conditions', {
      tasks: [print('a', { preCheck: { c: { act: 'skip', conditions: [] } } })],
    }),
    dagCase('var-name-digit', 'var named 1x', 'invalid', 'spec.vars', {
      vars: { '1x': {} },
      ...oneTask(),
    }),
    dagCase('var-unknown-field', 'var with field "type"', 'refused', 'type', {
      vars: { v: { type: 'int' } },
      ...oneTask(),
    }),
    dagCase('var-default-number', 'var defaultValue 5', 'refused', 'defaultValue', {
      vars: { v: { defaultValue: 5 } },
      ...oneTask(),
    }),
    dagCase('vars-129', '129 vars', 'refused', 'spec.vars', {
      vars: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`v${i}`, {}])),
      ...oneTask(),
    }),
    dagCase('tasks-too-many', `${MAX_TASKS + 1} tasks`, 'refused', 'spec.tasks', {
      tasks: Array.from({ length: MAX_TASKS + 1 }, (_, i) => print(`t${i}`)),
    }),
    dagCase('created-at-string', 'createdAt "yesterday"', 'refused', 'spec.createdAt', {
      createdAt: 'yesterday',
      ...oneTask(),
    }),
    ...WRONG_TYPES.map(([id, field, more]) =>
      taskCase(id, `${field}: ${JSON.stringify(Object.values(more)[0])}`, field, more),
    ),
    ...OUT_OF_RANGE.map(([id, field, more]) =>
      taskCase(id, `${JSON.stringify(more).slice(0, 80)}`, field, more),
    ),
    ...TASK_IDS.map(([id, field, v]) =>
      taskCase(id, `task id ${JSON.stringify(v)}`, field, { id: v }),
    ),
    ...lengthCases(),
    {
      id: 'dag-name-at-limit',
      group: 'Dag',
      input: 'Dag name of 253 characters',
      expect: 'succeeded',
      field: '',
      dag: { name: dnsName(253), spec: oneTask() },
    },
    {
      id: 'dag-name-past-limit',
      group: 'Dag',
      input: 'Dag name of 254 characters',
      expect: 'refused',
      field: 'metadata.name',
      dag: { name: dnsName(254), spec: oneTask() },
    },
    {
      id: 'dag-name-uppercase',
      group: 'Dag',
      input: 'Dag name "Bad"',
      expect: 'refused',
      field: 'metadata.name',
      dag: { name: 'Bad', spec: oneTask() },
    },
  ];
}
