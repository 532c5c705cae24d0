import { describe, expect, it } from 'vitest';
import {
  DagInstanceStatus as DagInstanceStatusSchema,
  MAX_EARLIER_OPERATIONS,
  MAX_OPERATION_MESSAGE,
  MAX_OPERATION_VALUE,
  type DagInstanceStatus,
} from '../api/dag-instance.ts';
import { isPending, pendingOperations, recordedValue } from './operations.ts';
import {
  at,
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';

const workers = [worker('w1')];
const retryOf = (value: string) => ({ annotations: { 'fastflow.io/retry': value } });

/** Every status decide writes must pass the CRD's validation, or the instance never moves again. */
function expectValid(status: DagInstanceStatus): void {
  const parsed = DagInstanceStatusSchema.safeParse(status);
  expect(parsed.success, parsed.error?.message).toBe(true);
}

describe('operations: a value too long to record', () => {
  const graph = graphOf([task('A'), task('B', ['A'])]);
  const long = `${Date.now()}:${Array.from({ length: 80 }, (_, i) => `task-number-${i}`).join(',')}`;

  it('is refused with the annotation and the limit named, and the instance moves on', () => {
    expect(long.length).toBeGreaterThan(MAX_OPERATION_VALUE);
    const placed = step(graph, start(), workers, at(1));
    const done = report(placed.status, 'A', 'AttemptSucceeded');
    const d = step(graph, done, workers, at(2), retryOf(long));
    expectValid(d.status);
    const record = d.status.operations?.retry;
    expect(record?.result).toBe('Refused');
    expect(record?.message).toContain(`fastflow.io/retry is ${long.length} characters long`);
    expect(record?.message).toContain(`${MAX_OPERATION_VALUE}`);
    expect(record?.value.length).toBeLessThanOrEqual(MAX_OPERATION_VALUE);
    expect(record?.value).toBe(recordedValue(long));
    // The refusal changed no task, and the scheduling went on in the same pass.
    expect(phases(d.status)).toEqual({ A: 'Succeeded', B: 'Scheduled' });
    // Recorded: acted on once (step also checks the next pass writes nothing).
    expect(pendingOperations(retryOf(long).annotations, d.status.operations)).toEqual([]);
    expect(isPending(long, record)).toBe(false);
    expect(isPending(`${long}x`, record)).toBe(true);
  });

  it('keeps every message within what the record may hold', () => {
    const many = graphOf(Array.from({ length: 80 }, (_, i) => task(`t${i}-${'x'.repeat(55)}`)));
    const placed = step(many, start(), [worker('w1', ['Print'], 100)], at(1));
    const names = many.order.slice(0, 15).join(',');
    const d = step(many, placed.status, workers, at(2), retryOf(`r1:${names}`));
    expect(d.status.operations?.retry?.result).toBe('Refused');
    expect(d.status.operations?.retry?.message.length).toBeLessThanOrEqual(MAX_OPERATION_MESSAGE);
    expect(d.status.operations?.retry?.message).toContain('and 5 more');
    expectValid(d.status);
  });
});

describe('operations: each value is acted on once', () => {
  const graph = graphOf([task('A')]);

  /** A failed instance, and what each retry annotation in turn makes of it. */
  function failedRun(): DagInstanceStatus {
    const placed = step(graph, start(), workers, at(1));
    return step(graph, report(placed.status, 'A', 'AttemptFailed', 'boom'), workers, at(2)).status;
  }

  it('r1, r2, then r1 again: the second r1 is refused, not applied twice', () => {
    let status = failedRun();
    status = step(graph, status, workers, at(3), retryOf('r1')).status;
    expect(status.operations?.retry).toMatchObject({ value: 'r1', result: 'Applied' });
    status = step(graph, report(status, 'A', 'AttemptFailed'), workers, at(4)).status;
    status = step(graph, status, workers, at(5), retryOf('r2')).status;
    expect(status.operations?.retry).toMatchObject({ value: 'r2', result: 'Applied' });
    status = step(graph, report(status, 'A', 'AttemptFailed'), workers, at(6)).status;
    expect(status.tasks?.['A']).toMatchObject({ phase: 'Failed', attempt: 3 });

    const again = step(graph, status, workers, at(7), retryOf('r1'));
    expect(again.assigned).toEqual([]);
    expect(again.status.tasks).toEqual(status.tasks);
    expect(again.status.operations?.retry).toMatchObject({ value: 'r1', result: 'Refused' });
    expect(again.status.operations?.retry?.message).toContain(
      'fastflow.io/retry=r1 was acted on before',
    );
    expect(again.status.operations?.retry?.earlier).toEqual(['r2']);
    // r2 set again is refused too; a new value is applied.
    const r2 = step(graph, again.status, workers, at(8), retryOf('r2'));
    expect(r2.status.operations?.retry).toMatchObject({ value: 'r2', result: 'Refused' });
    const r3 = step(graph, r2.status, workers, at(9), retryOf('r3'));
    expect(r3.status.operations?.retry).toMatchObject({ value: 'r3', result: 'Applied' });
    expectValid(r3.status);
  });

  it(`remembers the last ${MAX_EARLIER_OPERATIONS + 1} values of each operation`, () => {
    let status = failedRun();
    for (let i = 0; i <= MAX_EARLIER_OPERATIONS + 1; i++) {
      status = step(graph, status, workers, at(10 + i), {
        annotations: { 'fastflow.io/cancel': `c${i}` },
      }).status;
    }
    const record = status.operations?.cancel;
    expect(record?.value).toBe(`c${MAX_EARLIER_OPERATIONS + 1}`);
    expect(record?.earlier).toHaveLength(MAX_EARLIER_OPERATIONS);
    expect(record?.earlier?.[0]).toBe(`c${MAX_EARLIER_OPERATIONS}`);
    expect(record?.earlier).not.toContain('c0');
    expectValid(status);
  });
});
