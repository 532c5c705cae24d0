import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { parseDuration } from '../duration.ts';
import { buildGraph, type DagGraph } from '../graph.ts';
import { checkWait, startWaiting, waitEndsAt, waitType } from './wait.ts';

const built = buildGraph([{ id: 'w', type: 'wait' }]);
const graph = (built.ok ? built.graph : undefined) as DagGraph;
const t0 = new Date('2026-12-07T10:00:00.000Z');
const after = (ms: number) => new Date(t0.getTime() + ms);

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['1m0.5s', 60_500],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 'm', '1d', '1h 30m', '-1s', 's1'])('%j is not a duration', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('a wait task', () => {
  const wait = (spec: { duration?: string; until?: string }) => ({ type: 'wait' as const, spec });

  it('waits for its duration from when it became ready: the time is the wake-up, never polled', () => {
    const started = startWaiting(wait({ duration: '10m' }), 'cool', undefined, 1, t0);
    expect(started).toMatchObject({ phase: 'Running', attempt: 1, reason: 'Waiting' });
    expect(started.worker).toBeUndefined();
    expect(started.message).toBe(`waiting until ${after(600_000).toISOString()}`);
    expect(checkWait(wait({ duration: '10m' }), started, after(1))).toEqual({
      entry: started,
      wakeAt: after(600_000),
    });
    const over = checkWait(wait({ duration: '10m' }), started, after(600_000)).entry;
    expect(over).toMatchObject({ phase: 'Succeeded', finishedAt: after(600_000).toISOString() });
    expect(over.reason).toBeUndefined();
  });

  it('computes the same end from the status alone, as a new leader would (Conductor N#3588, N#3402)', () => {
    const started = startWaiting(wait({ duration: '45s' }), 'cool', undefined, 1, t0);
    const reread = JSON.parse(JSON.stringify(started)) as TaskStatus;
    expect(checkWait(wait({ duration: '45s' }), reread, after(44_999)).wakeAt).toEqual(
      after(45_000),
    );
    expect(checkWait(wait({ duration: '45s' }), reread, after(45_000)).entry.phase).toBe(
      'Succeeded',
    );
  });

  it('waits until a time; a time already past ends it at the first look', () => {
    const until = after(5000).toISOString();
    const started = startWaiting(wait({ until }), 'w', undefined, 1, t0);
    expect(checkWait(wait({ until }), started, t0).wakeAt).toEqual(after(5000));
    const past = t0.toISOString();
    const late = startWaiting(wait({ until: past }), 'w', undefined, 1, after(1000));
    expect(checkWait(wait({ until: past }), late, after(1000)).entry.phase).toBe('Succeeded');
  });

  it('with neither waits for a signal: no wake-up, and says how to send one', () => {
    const started = startWaiting(wait({}), 'w', undefined, 1, t0);
    expect(started.message).toContain('kubectl fastflow signal <instance> w');
    expect(checkWait(wait({}), started, after(1e9))).toEqual({ entry: started });
    expect(waitEndsAt({}, t0.toISOString())).toBeUndefined();
  });

  it('keeps the history of earlier attempts and counts this one (a retried rejection)', () => {
    const rejected: TaskStatus = {
      phase: 'Pending',
      attempt: 1,
      history: [{ attempt: 1, phase: 'Failed', reason: 'Rejected' }],
    };
    const again = startWaiting(
      { type: 'approval', spec: { message: 'ship it?' } },
      'gate',
      rejected,
      2,
      t0,
    );
    expect(again).toMatchObject({ phase: 'Running', attempt: 2, history: rejected.history });
    expect(again.message).toBe(
      'waiting for approval: ship it? (kubectl fastflow approve|reject <instance> gate)',
    );
    expect(checkWait({ type: 'approval', spec: undefined }, again, after(1e9))).toEqual({
      entry: again,
    });
  });
});

describe('waitType.validate: what admission cannot price is a Dag problem', () => {
  const spec = (wait: { duration?: string; until?: string }) => ({
    id: 'w',
    type: 'wait' as const,
    wait,
  });

  it('refuses duration and until together, and a duration over 366 days', () => {
    expect(
      waitType.validate(spec({ duration: '1s', until: t0.toISOString() }), 2, { tasks: [] }, graph),
    ).toEqual([
      {
        reason: 'InvalidWait',
        path: 'spec.tasks[2].wait.until',
        message: 'task "w": wait takes duration or until, not both (neither: wait for a signal)',
      },
    ]);
    expect(waitType.validate(spec({ duration: '9000h' }), 0, { tasks: [] }, graph)[0]?.path).toBe(
      'spec.tasks[0].wait.duration',
    );
    expect(waitType.validate(spec({ duration: '8760h' }), 0, { tasks: [] }, graph)).toEqual([]);
  });
});
