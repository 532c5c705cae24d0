/**
 * R6's table of bad inputs, pure: malformed Dags and instances, bad vars,
 * bad operation values, oversized params and outputs, names at and past
 * every length limit, wrong types. Each case says what it sends, what should
 * become of it and which field the message must name; `r6-bad-inputs.ts`
 * sends them and docs/faults.md lists them with the message observed.
 */
import type { OperationName } from '../../operator/api/names.ts';
import { print, x, type BadInput, type Expect } from './bad-input-case.ts';
import { dagCases } from './bad-dags.ts';
import { instanceCases } from './bad-instances.ts';

// The tables below keep one case a line (prettier-ignore): a row is data, not code.

/** A Dag that runs a few seconds, so operations find it running. */
const SLOW = {
  spec: {
    tasks: [
      { id: 'a', actionName: 'sleep', params: { seconds: 3 } },
      print('b', { dependOn: ['a'] }),
    ],
  },
};

const MANY_TASKS = Array.from({ length: 60 }, (_, i) => `some-long-task-name-${i}`).join(',');

/** Operations the operator records Refused: [id, input, field, operation, value, when]. */
type Operation = NonNullable<BadInput['operation']>;
// prettier-ignore
const OPERATIONS: [id: string, input: string, field: string, name: OperationName, value: string, when: Operation['when']][] = [
  ['retry-unknown-task', 'retry "1:ghost"', 'ghost', 'retry', '1:ghost', 'running'],
  ['retry-nothing-failed', 'retry while nothing failed', 'retry', 'retry', '1', 'running'],
  ['continue-not-blocked', 'continue "1:a" of a task that is not blocked', 'continue', 'continue', '1:a', 'running'],
  ['continue-unknown-task', 'continue "1:ghost"', 'ghost', 'continue', '1:ghost', 'running'],
  ['cancel-finished', 'cancel of a finished instance', 'cancel', 'cancel', '1', 'finished'],
  ['retry-60-names', 'retry naming 60 tasks (a 1.5 KB value)', 'retry', 'retry', `1:${MANY_TASKS}`, 'running'],
  ['cancel-2k-value', 'cancel with a 2,000-character value', 'cancel', 'cancel', x(2000, '9'), 'finished'],
  ['retry-empty-list', 'retry "1:,,"', 'retry', 'retry', '1:,,', 'running'],
  ['retry-failed-to-start', 'retry of an instance whose Dag is missing', 'retry', 'retry', '1', 'finished'],
];

/** The one case whose instance names no Dag, so it failed to start. */
const NO_DAG = 'retry-failed-to-start';

function operationCases(): BadInput[] {
  return OPERATIONS.map(([id, input, field, name, value, when]) => ({
    id,
    group: 'operation',
    input,
    expect: 'op-refused',
    field,
    dag: id === NO_DAG ? undefined : SLOW,
    instance: { spec: id === NO_DAG ? { dagRef: { name: 'ghost' } } : {} },
    operation: { name, value, when },
  }));
}

/** One task `a` of `action` with `params`: [id, input, expect, field, action, params]. */
// prettier-ignore
const PARAMS: [id: string, input: string, expect: Expect, field: string, action: string, params?: unknown][] = [
  ['sleep-seconds-text', 'sleep seconds "abc"', 'failed', 'seconds', 'sleep', { seconds: 'abc' }],
  ['sleep-seconds-negative', 'sleep seconds -1', 'failed', 'seconds', 'sleep', { seconds: -1 }],
  ['sleep-seconds-missing', 'sleep without seconds', 'failed', 'seconds', 'sleep'],
  ['wait-bad-unit', 'wait waitingTime "5x"', 'failed', 'waitingTime', 'wait', { waitingTime: '5x' }],
  ['print-action-key-number', 'PrintAction key 5', 'failed', 'key', 'PrintAction', { key: 5 }],
  ['params-past-recorded-limit', 'params rendered past 4 KiB', 'succeeded', '', 'print', { v: x(5000) }],
  ['output-past-limit', 'an action returning 9 KiB of output (echo)', 'failed', 'output', 'echo', { v: x(9000) }],
  ['output-at-limit', 'an action returning just under 8 KiB (echo)', 'succeeded', '', 'echo', { v: x(8000) }],
  ['params-1-5-mb', 'a Dag with 1.6 MB of params', 'refused', 'too large', 'print', { v: x(1_600_000) }],
  ['action-unknown', 'an action no worker has', 'waiting', 'no-such-action', 'no-such-action'],
];

function paramCases(): BadInput[] {
  return PARAMS.map(([id, input, expect, field, actionName, params]) => ({
    id,
    group: 'params and outputs',
    input,
    expect,
    field,
    dag: {
      spec: { tasks: [{ id: 'a', actionName, ...(params === undefined ? {} : { params }) }] },
    },
    instance: { spec: {} },
  }));
}

export function badInputs(): BadInput[] {
  return [...dagCases(), ...instanceCases(), ...operationCases(), ...paramCases()];
}
