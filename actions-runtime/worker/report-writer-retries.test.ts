import { describe, expect, it, vi } from 'vitest';
import {
  I1,
  I2,
  ME,
  OTHER,
  T1,
  fences,
  running,
  succeeded,
  tick,
  writerSetup,
} from '../../test/support/fake-status-api.ts';

const setup = writerSetup();

describe('ReportWriter: retries, drain and stop', () => {
  it('§13.6 §13.7 retries a 500 with backoff until the write lands', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push(500, 500, 500);
    let result: boolean | undefined;
    void writer.report(I1, succeeded('a')).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(fake.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(3);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(400);
    expect(fake.calls).toHaveLength(4);
    expect(result).toBe(true);
    expect(new Set(fake.calls.map((c) => JSON.stringify(c.body))).size).toBe(1);
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Succeeded' });
  });

  it('holds later reports of an instance back while a failed write is retried', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push(500);
    const run = writer.report(I1, running('a'));
    await vi.advanceTimersByTimeAsync(0);
    const done = writer.report(I1, succeeded('a'));
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all([run, done])).toEqual([true, true]);
    expect(fake.calls.map(fences)).toEqual([['a:Scheduled'], ['a:Scheduled'], ['a:Running']]);
  });

  it('does not take a write that landed but whose answer was lost for a fenced one', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push('lost-after-apply');
    let result: boolean | undefined;
    void writer.report(I1, running('a')).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Running', startedAt: T1 });
    expect(result).toBe(true);
    // The retry is refused by its own fence; a patch that changes nothing confirms the write.
    expect(fake.calls.map(fences)).toEqual([['a:Scheduled'], ['a:Scheduled'], ['a:Running']]);
    expect(fake.calls[2]?.body.filter((op) => op.op === 'add')).toEqual([
      { op: 'add', path: '/status/tasks/a/phase', value: 'Running' },
    ]);
    // The next report of the attempt follows on from Running.
    const done = writer.report(I1, succeeded('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await done).toBe(true);
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Succeeded' });
  });

  it('confirms each report of a batch whose write landed but whose answer was lost', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.assign(I1, 'b', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push('lost-after-apply');
    const results = Promise.all([
      writer.report(I1, succeeded('a'), 10),
      writer.report(I1, succeeded('b'), 10),
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await results).toEqual([true, true]);
    expect(fake.calls.map(fences)).toEqual([
      ['a:Scheduled', 'b:Scheduled'],
      ['a:Scheduled', 'b:Scheduled'],
      ['a:Scheduled'],
      ['a:Succeeded'],
      ['b:Scheduled'],
      ['b:Succeeded'],
    ]);
  });

  it('still refuses a report whose retried write found the attempt reassigned', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push(500);
    let result: boolean | undefined;
    void writer.report(I1, running('a')).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(0);
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: OTHER, attempt: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(result).toBe(false);
    expect(fake.task(I1, 'a')).toEqual({ phase: 'Scheduled', worker: OTHER, attempt: 2 });
  });

  it('settles the reports of two attempts of one task queued together', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'x', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const blocker = writer.report(I1, running('x'));
    await tick();
    // Attempt 1 of a finished late; attempt 2 is already assigned here.
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 2 });
    const settled: Array<boolean | 'pending'> = ['pending', 'pending'];
    void writer.report(I1, succeeded('a', 1)).then((r) => (settled[0] = r));
    void writer.report(I1, running('a', 2)).then((r) => (settled[1] = r));
    release();
    expect(await blocker).toBe(true);
    await writer.drain();
    await tick();
    expect(settled).toEqual([false, true]);
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Running', attempt: 2 });
  });

  it('drain() waits until every queued report is written', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.assign(I1, 'b', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    void writer.report(I1, running('a'));
    void writer.report(I1, running('b'), 30);
    let drained = false;
    const draining = writer.drain().then(() => (drained = true));
    await tick(50);
    expect(drained).toBe(false);
    release();
    await draining;
    expect(fake.task(I1, 'a')).toMatchObject({ phase: 'Running' });
    expect(fake.task(I1, 'b')).toMatchObject({ phase: 'Running' });
  });

  it('drain() resolves when nothing is queued, writing nothing', async () => {
    const { fake, writer } = setup();
    await expect(writer.drain()).resolves.toBeUndefined();
    expect(fake.calls).toEqual([]);
  });

  it('stop() settles queued reports with false and writes nothing more', async () => {
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.assign(I1, 'b', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.assign(I2, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    const release = fake.hold();
    const inFlight = writer.report(I1, running('a'));
    await tick();
    const queued = writer.report(I1, running('b'));
    const deferred = writer.report(I2, running('a'), 20);
    writer.stop();
    expect(await queued).toBe(false);
    expect(await deferred).toBe(false);
    release();
    // The write already sent lands and says so.
    expect(await inFlight).toBe(true);
    await tick(40);
    expect(fake.calls).toHaveLength(1);
    expect(await writer.report(I1, succeeded('a'))).toBe(false);
    await writer.drain();
    expect(fake.calls).toHaveLength(1);
  });

  it('stop() ends the retries of a failing write with false', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    fake.assign(I1, 'a', { phase: 'Scheduled', worker: ME, attempt: 1 });
    fake.faults.push(500, 500, 500, 500);
    let result: boolean | undefined;
    void writer.report(I1, running('a')).then((r) => (result = r));
    await vi.advanceTimersByTimeAsync(0);
    writer.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(result).toBe(false);
    expect(fake.calls.length).toBeLessThanOrEqual(2);
  });
});
