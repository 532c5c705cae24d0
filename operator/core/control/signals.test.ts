import { describe, expect, it } from 'vitest';
import { DagInstanceStatus, type TaskStatus } from '../../api/dag-instance.ts';
import type { TaskSpec } from '../../api/dag.ts';
import { pendingOperations } from '../operations.ts';
import { graphOf, task } from '../../../test/support/decide-fixtures.ts';
import { applySignal } from './signal-operation.ts';
import { parseSignal, signalEffect, type SignalRequest } from './signals.ts';

const now = new Date('2026-12-07T10:00:00.000Z');
const waiting: TaskStatus = {
  phase: 'Running',
  attempt: 1,
  startedAt: '2026-12-07T09:00:00.000Z',
  reason: 'Waiting',
  message: 'waiting for approval',
};
const ask = (verb: SignalRequest['verb'], task = 'gate', text = ''): SignalRequest => ({
  verb,
  task,
  text,
  by: 'alice',
});
const annotated = (value: string, by?: string) => ({
  'fastflow.io/signal': value,
  ...(by === undefined ? {} : { 'fastflow.io/signal-by': by }),
});

describe('parseSignal: the annotation value is user input', () => {
  it('reads <token>:<verb>:<task>[:<text>], the text keeping its colons', () => {
    expect(parseSignal('t1:approve:gate', 'alice')).toEqual({ signal: ask('approve') });
    expect(parseSignal('t1:signal:w:{"a":"b:c"}', 'bob')).toEqual({
      signal: { verb: 'signal', task: 'w', text: '{"a":"b:c"}', by: 'bob' },
    });
  });

  it.each([
    ['t1:accept:gate', 'alice', 'with verb approve, reject, signal; got "accept"'],
    ['t1', 'alice', 'got ""'],
    ['t1:approve:', 'alice', 'fastflow.io/signal names no task'],
    ['t1:approve:gate', undefined, 'needs fastflow.io/signal-by'],
    ['t1:approve:gate', '', 'needs fastflow.io/signal-by'],
  ])('refuses %j (by %j) saying why', (value, by, why) => {
    const parsed = parseSignal(value, by);
    expect('refused' in parsed && parsed.refused).toContain(why);
  });
});

describe('signalEffect', () => {
  it('approves a waiting approval task: Succeeded, the output says who and when', () => {
    const effect = signalEffect(ask('approve', 'gate', 'LGTM'), 'approval', waiting, now);
    expect(effect).toMatchObject({
      entry: {
        phase: 'Succeeded',
        reason: 'Approved',
        finishedAt: now.toISOString(),
        output: { approved: true, by: 'alice', at: now.toISOString(), message: 'LGTM' },
      },
      message: 'approve: gate by alice: LGTM',
    });
  });

  it('rejects a waiting approval task: Failed (Rejected), message and output say who and when', () => {
    const effect = signalEffect(ask('reject', 'gate', 'not today'), 'approval', waiting, now);
    expect(effect).toMatchObject({
      entry: {
        phase: 'Failed',
        reason: 'Rejected',
        message: `rejected by alice at ${now.toISOString()}: not today`,
        output: { approved: false, by: 'alice' },
      },
    });
  });

  it('ends a waiting wait task with the payload as its output, or none', () => {
    const withPayload = signalEffect(ask('signal', 'w', '{"n":[1,2]}'), 'wait', waiting, now);
    expect(withPayload).toMatchObject({
      entry: { phase: 'Succeeded', reason: 'Signaled', output: { n: [1, 2] } },
    });
    const bare = signalEffect(ask('signal', 'w'), 'wait', waiting, now);
    expect('entry' in bare && 'output' in bare.entry).toBe(false);
  });

  it.each<[SignalRequest, string | undefined, TaskStatus | undefined, string]>([
    [ask('approve'), 'approval', undefined, 'approve: gate is Pending, not waiting'],
    [ask('approve'), 'approval', { phase: 'Succeeded' }, 'gate is Succeeded, not waiting'],
    [
      ask('reject'),
      'approval',
      { phase: 'Failed', reason: 'Rejected' },
      'gate is Failed, not waiting',
    ],
    [ask('approve'), 'wait', waiting, 'gate has type wait; approve applies to approval tasks'],
    [ask('signal'), 'approval', waiting, 'gate has type approval; signal only ends wait tasks'],
    [ask('signal'), undefined, { phase: 'Running', worker: 'w1' }, 'gate has type action'],
    [ask('signal', 'gate', '{oops'), 'wait', waiting, 'the payload is not JSON ({oops)'],
  ])('refuses %j on a %s task in %j', (signal, type, current, why) => {
    const effect = signalEffect(signal, type, current, now);
    expect('refused' in effect && effect.refused).toContain(why);
  });
});

describe('a signal through the operations path', () => {
  const gate: TaskSpec = { id: 'gate', type: 'approval', dependOn: ['build'], approval: {} };
  const graph = graphOf([task('build'), gate]);

  it('is pending until recorded, then acted on once, recorded with who sent it', () => {
    const annotations = annotated('t1:approve:gate:ok', 'alice');
    const [op, ...more] = pendingOperations(annotations, undefined);
    expect(more).toEqual([]);
    const outcome = applySignal(op!, graph, { gate: waiting }, now);
    expect(outcome.tasks.gate?.phase).toBe('Succeeded');
    expect(outcome.record).toEqual({
      value: 't1:approve:gate:ok',
      result: 'Applied',
      message: 'approve: gate by alice: ok',
      at: now.toISOString(),
      by: 'alice',
    });
    const status = { operations: { signal: outcome.record } };
    expect(DagInstanceStatus.safeParse(status).success).toBe(true);
    expect(pendingOperations(annotations, status.operations)).toEqual([]);
  });

  it('refuses a task the Dag does not have, and changes nothing', () => {
    const [op] = pendingOperations(annotated('t1:approve:nope', 'alice'), undefined);
    const outcome = applySignal(op!, graph, { gate: waiting }, now);
    expect(outcome.tasks).toEqual({ gate: waiting });
    expect(outcome.record).toMatchObject({
      result: 'Refused',
      message: 'approve: no task nope in this Dag',
      by: 'alice',
    });
  });

  it('refuses a value without its sender, naming the annotation to add', () => {
    const [op] = pendingOperations(annotated('t1:approve:gate'), undefined);
    const outcome = applySignal(op!, graph, { gate: waiting }, now);
    expect(outcome.record.result).toBe('Refused');
    expect(outcome.record.message).toContain('needs fastflow.io/signal-by');
  });

  it('refuses a value sent again (each is acted on once)', () => {
    const annotations = annotated('t1:approve:gate', 'alice');
    const [op] = pendingOperations(annotations, undefined);
    const first = applySignal(op!, graph, { gate: waiting }, now).record;
    const later = { signal: { ...first, value: 't2:approve:gate', earlier: ['t1:approve:gate'] } };
    const [again] = pendingOperations(annotations, later);
    expect(again?.refused).toContain('was acted on before');
  });
});
