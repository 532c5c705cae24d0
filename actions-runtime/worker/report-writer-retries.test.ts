import { describe, expect, it, vi } from 'vitest';
import {
  I1,
  I2,
  entries,
  type Fault,
  running,
  succeeded,
  tick,
  writerSetup,
} from '../../test/support/fake-result-api.ts';

const setup = writerSetup();

/** A writer on fake timers whose store answers its first calls with `faults`. */
function failing(...faults: Fault[]): ReturnType<typeof setup> {
  vi.useFakeTimers();
  const s = setup();
  s.fake.faults.push(...faults);
  return s;
}

/** What a report settles with, once it has (`value` stays undefined until then). */
function outcome(report: Promise<boolean>): { value?: boolean } {
  const o: { value?: boolean } = {};
  void report.then((r) => (o.value = r));
  return o;
}

describe('ReportWriter: retries, drain and stop', () => {
  it('§13.6 §13.7 retries a 500 with backoff until the write lands', async () => {
    const { fake, writer } = failing(500, 500, 500);
    const result = outcome(writer.report(I1, succeeded('a')));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(fake.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(fake.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(3);
    expect(result.value).toBeUndefined();
    await vi.advanceTimersByTimeAsync(400);
    expect(fake.calls).toHaveLength(4);
    expect(result.value).toBe(true);
    expect(fake.results(I1)).toMatchObject({ 'a@1': { phase: 'Succeeded' } });
  });

  it('holds later reports of an instance back while a failed write is retried', async () => {
    const { fake, writer } = failing(500);
    const run = writer.report(I1, running('a'));
    await vi.advanceTimersByTimeAsync(0);
    const done = writer.report(I1, succeeded('a'));
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(await Promise.all([run, done])).toEqual([true, true]);
    expect(fake.calls.map(entries)).toEqual([['a@1:Running'], ['a@1:Running'], ['a@1:Succeeded']]);
  });

  it('a write that landed but whose answer was lost is written again, harmlessly', async () => {
    const { fake, writer } = failing('lost-after-apply');
    const result = outcome(writer.report(I1, running('a')));
    await vi.advanceTimersByTimeAsync(1000);
    expect(result.value).toBe(true);
    // The create landed; its retry finds the object and patches it instead.
    expect(fake.calls.map((c) => c.verb)).toEqual(['create', 'create', 'patch']);
    const done = writer.report(I1, succeeded('a'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await done).toBe(true);
    expect(fake.results(I1)).toMatchObject({ 'a@1': { phase: 'Succeeded' } });
  });

  it('a refusal that is not about one entry is retried, never dropped', async () => {
    const { fake, writer } = failing(422, 422, 422);
    const result = outcome(writer.report(I1, succeeded('a')));
    await vi.advanceTimersByTimeAsync(1000);
    // The result is refused, then its stand-in too: the writer keeps trying until one lands.
    expect(fake.calls.map(entries)).toEqual([
      ['a@1:Succeeded'],
      ['a@1:Failed'],
      ['a@1:Failed'],
      ['a@1:Failed'],
    ]);
    expect(fake.results(I1)).toMatchObject({ 'a@1': { phase: 'Failed', reason: 'ResultRefused' } });
    expect(result.value).toBe(false);
  });

  it('drain() waits until every queued report is written', async () => {
    const { fake, writer } = setup();
    const release = fake.hold();
    void writer.report(I1, running('a'));
    void writer.report(I1, running('b'), 30);
    let drained = false;
    const draining = writer.drain().then(() => (drained = true));
    await tick(50);
    expect(drained).toBe(false);
    release();
    await draining;
    expect(Object.keys(fake.results(I1) ?? {})).toEqual(['a@1', 'b@1']);
  });

  it('drain() resolves when nothing is queued, writing nothing', async () => {
    const { fake, writer } = setup();
    await expect(writer.drain()).resolves.toBeUndefined();
    expect(fake.calls).toEqual([]);
  });

  it('stop() settles queued reports with false and writes nothing more', async () => {
    const { fake, writer } = setup();
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
    const { fake, writer } = failing(500, 500, 500, 500);
    const result = outcome(writer.report(I1, running('a')));
    await vi.advanceTimersByTimeAsync(0);
    writer.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(result.value).toBe(false);
    expect(fake.calls.length).toBeLessThanOrEqual(2);
  });
});
