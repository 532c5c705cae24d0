/** R6's bad DagInstances: missing or bad references, bad vars, deadlines, names at and past the limit. */
import { dnsName, oneTask, print, x, type BadInput, type Expect } from './bad-input-case.ts';

const GOOD = { spec: oneTask() };
const instanceCase = (
  id: string,
  input: string,
  expect: Expect,
  field: string,
  spec: Record<string, unknown>,
  dag: BadInput['dag'] = GOOD,
): BadInput => ({
  id,
  group: 'DagInstance',
  input,
  expect,
  field,
  dag,
  instance: { spec },
});

export function instanceCases(): BadInput[] {
  const withVar = {
    spec: { vars: { v: { defaultValue: 'x' } }, ...oneTask({ params: { v: '{{v}}' } }) },
  };
  return [
    instanceCase('no-dag-ref', 'spec without dagRef', 'refused', 'spec.dagRef', {
      dagRef: undefined,
    }),
    instanceCase('dag-ref-empty', 'dagRef.name ""', 'refused', 'spec.dagRef.name', {
      dagRef: { name: '' },
    }),
    instanceCase('dag-ref-uppercase', 'dagRef.name "Bad"', 'refused', 'spec.dagRef.name', {
      dagRef: { name: 'Bad' },
    }),
    instanceCase('dag-ref-string', 'dagRef: "x"', 'refused', 'spec.dagRef', { dagRef: 'x' }),
    instanceCase(
      'dag-ref-unknown-field',
      'dagRef.namespace (no such field)',
      'refused',
      'namespace',
      { dagRef: { name: 'x', namespace: 'y' } },
    ),
    instanceCase('instance-unknown-field', 'spec.priority (no such field)', 'refused', 'priority', {
      dagRef: { name: 'x' },
      priority: 1,
    }),
    instanceCase(
      'dag-missing',
      'dagRef names no Dag',
      'failed',
      'ghost',
      { dagRef: { name: 'ghost' } },
      undefined,
    ),
    instanceCase(
      'dag-invalid',
      'dagRef names an invalid Dag (a cycle)',
      'failed',
      'cycle',
      {},
      { spec: { tasks: [print('a', { dependOn: ['b'] }), print('b', { dependOn: ['a'] })] } },
    ),
    instanceCase(
      'dag-stopped',
      'dagRef names a stopped Dag',
      'failed',
      'stopped',
      {},
      { spec: { status: 'stopped', ...oneTask() } },
    ),
    instanceCase(
      'var-undeclared',
      'a var the Dag does not declare',
      'failed',
      'nope',
      { vars: { nope: 'x' } },
      withVar,
    ),
    instanceCase('var-number', 'var value 5', 'refused', 'spec.vars', { vars: { v: 5 } }, withVar),
    instanceCase(
      'var-object',
      'var value {a: 1}',
      'refused',
      'spec.vars',
      { vars: { v: { a: 1 } } },
      withVar,
    ),
    instanceCase('vars-list', 'vars as a list', 'refused', 'spec.vars', { vars: ['v'] }, withVar),
    instanceCase(
      'var-name-bad',
      'var named "1x"',
      'refused',
      'spec.vars',
      { vars: { '1x': 'y' } },
      withVar,
    ),
    instanceCase(
      'var-value-at-limit',
      'var value of 8192 characters',
      'succeeded',
      '',
      { vars: { v: x(8192) } },
      withVar,
    ),
    instanceCase(
      'var-value-past-limit',
      'var value of 8193 characters',
      'refused',
      'spec.vars',
      { vars: { v: x(8193) } },
      withVar,
    ),
    instanceCase(
      'instance-vars-129',
      '129 vars',
      'refused',
      'spec.vars',
      { vars: Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`v${i}`, 'x'])) },
      withVar,
    ),
    instanceCase(
      'deadline-zero',
      'activeDeadlineSeconds 0',
      'refused',
      'spec.activeDeadlineSeconds',
      { activeDeadlineSeconds: 0 },
    ),
    instanceCase(
      'deadline-negative',
      'activeDeadlineSeconds -5',
      'refused',
      'spec.activeDeadlineSeconds',
      { activeDeadlineSeconds: -5 },
    ),
    instanceCase(
      'deadline-string',
      'activeDeadlineSeconds "60"',
      'refused',
      'spec.activeDeadlineSeconds',
      { activeDeadlineSeconds: '60' },
    ),
    instanceCase(
      'deadline-past-1-year',
      'activeDeadlineSeconds 1 year + 1 s',
      'refused',
      'spec.activeDeadlineSeconds',
      { activeDeadlineSeconds: 365 * 24 * 3600 + 1 },
    ),
    ...[63, 64, 253].map((n) => ({
      ...instanceCase(
        `instance-name-${n}`,
        `instance name of ${n} characters`,
        'succeeded' as const,
        '',
        {},
      ),
      instance: { name: dnsName(n), spec: {} },
    })),
    {
      ...instanceCase(
        'instance-name-254',
        'instance name of 254 characters',
        'refused',
        'metadata.name',
        {},
      ),
      instance: { name: dnsName(254), spec: {} },
    },
  ];
}
