import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { task } from '../../../test/support/decide-fixtures.ts';
import { validateDag } from '../validate-dag.ts';

function messageOf(tasks: TaskSpec[]): string {
  const v = validateDag({ tasks });
  return v.valid ? '' : v.message;
}

const waiting: TaskSpec[] = [
  { id: 'hold', type: 'wait', wait: { duration: '1m' } },
  { id: 'ok', type: 'approval', approval: {} },
];

describe('a task that waits on no worker refuses the fields of a worker attempt it would ignore', () => {
  it.each([
    ['timeoutSecs', { timeoutSecs: 60 }],
    ['retry', { retry: { limit: 2 } }],
    ['scheduleToStartSecs', { scheduleToStartSecs: 30 }],
    ['heartbeatTimeoutSecs', { heartbeatTimeoutSecs: 30 }],
  ] as const)('%s, naming the field and the task type', (field, extra) => {
    for (const spec of waiting) {
      const message = messageOf([task('a'), { ...spec, ...extra }]);
      expect(message).toContain(
        `spec.tasks[1].${field}: task "${spec.id}" is of type ${spec.type}:`,
      );
      expect(message).toContain(`${field} is for action tasks`);
    }
  });

  it('accepts them on an action task, and a wait or approval without them', () => {
    const action = { ...task('b'), timeoutSecs: 5, retry: { limit: 1 }, heartbeatTimeoutSecs: 5 };
    expect(messageOf([task('a'), action, ...waiting])).toBe('');
  });
});
