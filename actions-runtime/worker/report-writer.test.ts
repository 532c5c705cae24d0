import { describe, expect, it, vi } from 'vitest';
import { TaskTransitionRefused } from '../../operator/core/task-transitions.ts';
import { MAX_REPORTS_PER_WRITE } from './report-writer.ts';
import {
  I1,
  I2,
  ME,
  OTHER,
  T1,
  T2,
  fences,
  running,
  succeeded,
  tick,
  writerSetup,
} from '../../test/support/fake-status-api.ts';

const setup = writerSetup();

describe('ReportWriter: batches and fences', () => {
  it('writes a report to an idle instance at once, fenced on worker, attempt and phase', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    expect(await writer.report(I1, running('a'))).toBe(true);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toEqual({
      instance: 'ns/i1',
      body: [
        { op: 'test', path: '/status/tasks/a/worker', value: ME },
        { op: 'test', path: '/status/tasks/a/attempt', value: 1 },
        { op: 'test', path: '/status/tasks/a/phase', value: 'Scheduled' },
        { op: 'add', path: '/status/tasks/a/phase', value: 'Running' },
        { op: 'add', path: '/status/tasks/a/startedAt', value: T1 },
      ],
    });
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Running', startedAt: T1 });
  });

  it('sends the reports that arrive while a write is in flight together in the next patch', async () => {
    const { fake, writer } = setup();
    for (const t of ['a', 'b', 'c'])
      fake.assign(I1, t, { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const first = writer.report(I1, running('a'));
    await tick();
    expect(fake.calls).toHaveLength(1);
    const later = [writer.report(I1, running('b')), writer.report(I1, succeeded('c'))];
    await tick(10);
    expect(fake.calls).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
    expect(fake.calls).toHaveLength(2);
    expect(fences(fake.calls[1])).toEqual(['b:Scheduled', 'c:Scheduled']);
    expect(fake.task(I1, 'c')).toMatchObject({ phase: 'Succeeded' });
  });

  it(`writes a burst in writes of at most ${MAX_REPORTS_PER_WRITE} reports (the API server caps a JSON Patch)`, async () => {
    const { fake, writer } = setup();
    const tasks = Array.from({ length: 2 * MAX_REPORTS_PER_WRITE + 2 }, (_, i) => `t${i}`);
    for (const t of tasks) fake.assign(I1, t, { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const first = writer.report(I1, succeeded('t0'));
    await tick();
    const rest = tasks.slice(1).map((t) => writer.report(I1, succeeded(t)));
    release();
    expect(await Promise.all([first, ...rest])).toEqual(tasks.map(() => true));
    expect(fake.calls.map((c) => fences(c).length)).toEqual([
      1,
      MAX_REPORTS_PER_WRITE,
      MAX_REPORTS_PER_WRITE,
      1,
    ]);
  });

  it('writes to different instances independently', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.assign(I2, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const reports = [writer.report(I1, running('a')), writer.report(I2, running('a'))];
    await tick();
    expect(fake.calls.map((c) => c.instance)).toEqual(['ns/i1', 'ns/i2']);
    release();
    expect(await Promise.all(reports)).toEqual([true, true]);
  });

  it('merges a deferred Running report with the final report into one patch expecting Scheduled', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const run = writer.report(I1, running('a'), 1000);
    await tick(5);
    expect(fake.calls).toHaveLength(0);
    const done = writer.report(I1, succeeded('a'));
    expect(await Promise.all([run, done])).toEqual([true, true]);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.body).toEqual([
      { op: 'test', path: '/status/tasks/a/worker', value: ME },
      { op: 'test', path: '/status/tasks/a/attempt', value: 1 },
      { op: 'test', path: '/status/tasks/a/phase', value: 'Scheduled' },
      { op: 'add', path: '/status/tasks/a/phase', value: 'Succeeded' },
      { op: 'add', path: '/status/tasks/a/startedAt', value: T1 },
      { op: 'add', path: '/status/tasks/a/finishedAt', value: T2 },
    ]);
    await writer.drain();
    expect(fake.calls).toHaveLength(1);
  });

  it('writes a deferred report alone once its delay is over', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const run = writer.report(I1, running('a'), 25);
    await vi.advanceTimersByTimeAsync(24);
    expect(fake.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(1);
    expect(await run).toBe(true);
  });

  it('expects Running in the report that follows an applied Running write', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    expect(await writer.report(I1, running('a'))).toBe(true);
    expect(await writer.report(I1, succeeded('a'))).toBe(true);
    expect(fake.calls.map(fences)).toEqual([['a:Scheduled'], ['a:Running']]);
    // The attempt is over: its next report (none is expected) would start afresh.
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 2 });
    expect(await writer.report(I1, running('a', 2))).toBe(true);
    expect(fences(fake.calls[2])).toEqual(['a:Scheduled']);
  });

  it('expects Running in a final report queued while the Running write is in flight', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const run = writer.report(I1, running('a'));
    await tick();
    const done = writer.report(I1, succeeded('a'));
    release();
    expect(await Promise.all([run, done])).toEqual([true, true]);
    expect(fake.calls.map(fences)).toEqual([['a:Scheduled'], ['a:Running']]);
  });

  it('on a 422 for a batch, retries each report alone and refuses only the fenced one', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    // b was given to another worker: this worker's attempt 1 is a zombie.
    fake.assign(I1, 'b', { phase: 'Scheduled', worker: OTHER, attempt: 2 });
    fake.assign(I1, 'c', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const results = Promise.all([
      writer.report(I1, running('a'), 10),
      writer.report(I1, running('b'), 10),
      writer.report(I1, running('c'), 10),
    ]);
    expect(await results).toEqual([true, false, true]);
    expect(fake.calls.map(fences)).toEqual([
      ['a:Scheduled', 'b:Scheduled', 'c:Scheduled'],
      ['a:Scheduled'],
      ['b:Scheduled'],
      ['c:Scheduled'],
    ]);
    expect(fake.task(I1, 'b')).toEqual({ phase: 'Scheduled', worker: OTHER, attempt: 2 });
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Running' });
  });

  it('refuses a final report after its Running report was fenced', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: OTHER, attempt: 2 });
    expect(await writer.report(I1, running('a'))).toBe(false);
    expect(await writer.report(I1, succeeded('a'))).toBe(false);
    expect(fake.task(I1, 'a')).toEqual({ phase: 'Scheduled', worker: OTHER, attempt: 2 });
  });

  it('resolves false when the instance is gone (404), without retrying', async () => {
    const { fake, writer } = setup();
    expect(await writer.report(I1, running('a'))).toBe(false);
    fake.assign(I2, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push(404);
    expect(await writer.report(I2, running('a'))).toBe(false);
    await writer.drain();
    expect(fake.calls).toHaveLength(2);
  });

  it('refuses a report the transition table has no row for after the last one', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const done = writer.report(I1, succeeded('a'));
    expect(() => writer.report(I1, running('a'))).toThrow(TaskTransitionRefused);
    expect(await done).toBe(true);
    await writer.drain();
    expect(fake.calls.map(fences)).toEqual([['a:Scheduled']]);
  });
});
