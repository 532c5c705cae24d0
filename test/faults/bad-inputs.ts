/**
 * R6's table of bad inputs, pure: malformed Dags and instances, bad vars,
 * bad operation values, oversized params and outputs, names at and past
 * every length limit, wrong types. Each case says what it sends, what should
 * become of it and which field the message must name; `r6-bad-inputs.ts`
 * sends them and docs/faults.md lists them with the message observed.
 */
import { print, x, type BadInput, type Expect } from './bad-input-case.ts';
import { dagCases } from './bad-dags.ts';
import { instanceCases } from './bad-instances.ts';

/** A Dag that runs a few seconds, so operations find it running. */
const SLOW = {
  spec: {
    tasks: [
      { id: 'a', actionName: 'sleep', params: { seconds: 3 } },
      print('b', { dependOn: ['a'] }),
    ],
  },
};

function operationCase(
  id: string,
  input: string,
  field: string,
  operation: BadInput['operation'],
): BadInput {
  return {
    id,
    group: 'operation',
    input,
    expect: 'op-refused',
    field,
    dag: SLOW,
    instance: { spec: {} },
    operation,
  };
}

function operationCases(): BadInput[] {
  const manyTasks = Array.from({ length: 60 }, (_, i) => `some-long-task-name-${i}`).join(',');
  return [
    operationCase('retry-unknown-task', 'retry "1:ghost"', 'ghost', {
      name: 'retry',
      value: '1:ghost',
      when: 'running',
    }),
    operationCase('retry-nothing-failed', 'retry while nothing failed', 'retry', {
      name: 'retry',
      value: '1',
      when: 'running',
    }),
    operationCase(
      'continue-not-blocked',
      'continue "1:a" of a task that is not blocked',
      'continue',
      { name: 'continue', value: '1:a', when: 'running' },
    ),
    operationCase('continue-unknown-task', 'continue "1:ghost"', 'ghost', {
      name: 'continue',
      value: '1:ghost',
      when: 'running',
    }),
    operationCase('cancel-finished', 'cancel of a finished instance', 'cancel', {
      name: 'cancel',
      value: '1',
      when: 'finished',
    }),
    operationCase('retry-60-names', 'retry naming 60 tasks (a 1.5 KB value)', 'retry', {
      name: 'retry',
      value: `1:${manyTasks}`,
      when: 'running',
    }),
    operationCase('cancel-2k-value', 'cancel with a 2,000-character value', 'cancel', {
      name: 'cancel',
      value: x(2000, '9'),
      when: 'finished',
    }),
    operationCase('retry-empty-list', 'retry "1:,,"', 'retry', {
      name: 'retry',
      value: '1:,,',
      when: 'running',
    }),
    {
      ...operationCase(
        'retry-failed-to-start',
        'retry of an instance whose Dag is missing',
        'retry',
        { name: 'retry', value: '1', when: 'finished' },
      ),
      dag: undefined,
      instance: { spec: { dagRef: { name: 'ghost' } } },
    },
  ];
}

function paramCases(): BadInput[] {
  const run = (
    id: string,
    input: string,
    expect: Expect,
    field: string,
    task: Record<string, unknown>,
  ): BadInput => ({
    id,
    group: 'params and outputs',
    input,
    expect,
    field,
    dag: { spec: { tasks: [{ id: 'a', ...task }] } },
    instance: { spec: {} },
  });
  return [
    run('sleep-seconds-text', 'sleep seconds "abc"', 'failed', 'seconds', {
      actionName: 'sleep',
      params: { seconds: 'abc' },
    }),
    run('sleep-seconds-negative', 'sleep seconds -1', 'failed', 'seconds', {
      actionName: 'sleep',
      params: { seconds: -1 },
    }),
    run('sleep-seconds-missing', 'sleep without seconds', 'failed', 'seconds', {
      actionName: 'sleep',
    }),
    run('wait-bad-unit', 'wait waitingTime "5x"', 'failed', 'waitingTime', {
      actionName: 'wait',
      params: { waitingTime: '5x' },
    }),
    run('print-action-key-number', 'PrintAction key 5', 'failed', 'key', {
      actionName: 'PrintAction',
      params: { key: 5 },
    }),
    run('params-past-recorded-limit', 'params rendered past 4 KiB', 'succeeded', '', {
      actionName: 'print',
      params: { v: x(5000) },
    }),
    run('output-past-limit', 'an action returning 9 KiB of output (echo)', 'failed', 'output', {
      actionName: 'echo',
      params: { v: x(9000) },
    }),
    run('output-at-limit', 'an action returning just under 8 KiB (echo)', 'succeeded', '', {
      actionName: 'echo',
      params: { v: x(8000) },
    }),
    run('params-1-5-mb', 'a Dag with 1.6 MB of params', 'refused', 'too large', {
      actionName: 'print',
      params: { v: x(1_600_000) },
    }),
    run('action-unknown', 'an action no worker has', 'waiting', 'no-such-action', {
      actionName: 'no-such-action',
    }),
  ];
}

export function badInputs(): BadInput[] {
  return [...dagCases(), ...instanceCases(), ...operationCases(), ...paramCases()];
}
