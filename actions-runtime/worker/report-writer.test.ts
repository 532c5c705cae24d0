import { describe, expect, it, vi } from 'vitest';
import { TaskTransitionRefused } from '../../operator/core/task-transitions.ts';
import {
  I1,
  I2,
  ME,
  T1,
  T2,
  entries,
  running,
  succeeded,
  tick,
  writerSetup,
} from '../../test/support/fake-result-api.ts';

const setup = writerSetup();

describe('ReportWriter: batches into the worker’s TaskResult', () => {
  it('creates the object with the first report, then merges later ones into it', async () => {
    const { fake, writer } = setup();
    expect(await writer.report(I1, running('a'))).toBe(true);
    expect(await writer.report(I1, succeeded('a', 1, { n: 1 }))).toBe(true);
    expect(fake.calls.map((c) => [c.verb, ...entries(c)])).toEqual([
      ['create', 'a@1:Running'],
      ['patch', 'a@1:Succeeded'],
    ]);
    expect(fake.results(I1)).toEqual({
      'a@1': { phase: 'Succeeded', startedAt: T1, finishedAt: T2, output: '{"n":1}' },
    });
  });

  it('sends the reports that arrive while a write is in flight together in the next write', async () => {
    const { fake, writer } = setup();
    const release = fake.hold();
    const first = writer.report(I1, running('a'));
    await tick();
    expect(fake.calls).toHaveLength(1);
    const later = [writer.report(I1, running('b')), writer.report(I1, succeeded('c'))];
    await tick(10);
    expect(fake.calls).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
    expect(fake.calls.map(entries)).toEqual([['a@1:Running'], ['b@1:Running', 'c@1:Succeeded']]);
  });

  it('writes to different instances independently', async () => {
    const { fake, writer } = setup();
    const release = fake.hold();
    const reports = [writer.report(I1, running('a')), writer.report(I2, running('a'))];
    await tick();
    expect(fake.calls).toHaveLength(2);
    release();
    expect(await Promise.all(reports)).toEqual([true, true]);
    expect(fake.results(I2)).toMatchObject({ 'a@1': { phase: 'Running' } });
  });

  it('merges a deferred Running report with the result of a short task into one write', async () => {
    const { fake, writer } = setup();
    const run = writer.report(I1, running('a'), 1000);
    await tick(5);
    expect(fake.calls).toHaveLength(0);
    const done = writer.report(I1, succeeded('a'));
    expect(await Promise.all([run, done])).toEqual([true, true]);
    expect(fake.calls.map(entries)).toEqual([['a@1:Succeeded']]);
    expect(fake.results(I1)?.['a@1']).toEqual({
      phase: 'Succeeded',
      startedAt: T1,
      finishedAt: T2,
    });
  });

  it('writes a deferred report alone once its delay is over', async () => {
    vi.useFakeTimers();
    const { fake, writer } = setup();
    const run = writer.report(I1, running('a'), 25);
    await vi.advanceTimersByTimeAsync(24);
    expect(fake.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.calls).toHaveLength(1);
    expect(await run).toBe(true);
  });

  it('keeps two attempts of one task as two entries', async () => {
    const { fake, writer } = setup();
    await writer.report(I1, succeeded('a', 1));
    await writer.report(I1, running('a', 2));
    expect(Object.keys(fake.results(I1) ?? {})).toEqual(['a@1', 'a@2']);
  });

  it('drops the entries the instance status shows folded, in its next write only', async () => {
    const { fake, writer } = setup();
    await writer.report(I1, succeeded('a'));
    await writer.report(I1, running('b'));
    writer.observe(I1, {
      tasks: {
        a: { phase: 'Succeeded', worker: ME, attempt: 1 },
        b: { phase: 'Running', worker: ME, attempt: 1 },
      },
    });
    await tick(10);
    expect(fake.calls).toHaveLength(2);
    await writer.report(I1, running('c'));
    expect(entries(fake.calls[2])).toEqual(['-a@1', 'c@1:Running']);
    expect(Object.keys(fake.results(I1) ?? {})).toEqual(['b@1', 'c@1']);
  });

  it('creates the object again when the operator has deleted it', async () => {
    const { fake, writer } = setup();
    await writer.report(I1, succeeded('a'));
    writer.observe(I1, { tasks: { a: { phase: 'Succeeded', worker: ME, attempt: 1 } } });
    fake.remove(I1);
    expect(await writer.report(I1, running('b'))).toBe(true);
    expect(fake.calls.map((c) => [c.verb, ...entries(c)])).toEqual([
      ['create', 'a@1:Succeeded'],
      ['patch', '-a@1', 'b@1:Running'],
      ['create', 'b@1:Running'],
    ]);
    expect(fake.results(I1)).toEqual({ 'b@1': { phase: 'Running', startedAt: T1 } });
  });

  it('a result the API server refuses becomes a failure of its attempt saying why; the others land', async () => {
    const { fake, writer } = setup();
    fake.maxOutput = 10;
    const results = Promise.all([
      writer.report(I1, succeeded('a', 1, 'short'), 10),
      writer.report(I1, succeeded('b', 1, 'x'.repeat(20)), 10),
    ]);
    expect(await results).toEqual([true, false]);
    expect(fake.calls.map(entries)).toEqual([
      ['a@1:Succeeded', 'b@1:Succeeded'],
      ['a@1:Succeeded'],
      ['b@1:Succeeded'],
      ['b@1:Failed'],
    ]);
    expect(fake.results(I1)?.['b@1']).toEqual({
      phase: 'Failed',
      finishedAt: T2,
      reason: 'ResultRefused',
      message: 'the API server refused to store the result: spec.results.b@1.output: Too long',
    });
    // Nothing more is written for a refused attempt.
    expect(await writer.report(I1, succeeded('b', 1))).toBe(false);
  });

  it('holds back what would grow the object past its bound until folds make room', async () => {
    const { fake, writer } = setup();
    const big = 'x'.repeat(8000);
    const ids = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const reports = ids.map((t) => writer.report(I1, succeeded(t, 1, big), 5));
    await tick(30);
    expect(fake.calls).toHaveLength(1);
    const first = Object.keys(fake.calls[0]?.results ?? {});
    expect(first.length).toBe(25); // 25 × ≈ 8 KiB fit in 200 KiB
    const folded = Object.fromEntries(
      ids.map((t) => [t, { phase: 'Succeeded' as const, worker: ME, attempt: 1 }]),
    );
    writer.observe(I1, { tasks: folded });
    expect(await Promise.all(reports)).toEqual(ids.map(() => true));
    expect(entries(fake.calls[1]).filter((e) => e.startsWith('-'))).toHaveLength(25);
    expect(Object.keys(fake.results(I1) ?? {})).toHaveLength(5);
  });

  it('refuses a report the transition table has no row for after the last one', async () => {
    const { fake, writer } = setup();
    const done = writer.report(I1, succeeded('a'));
    expect(() => writer.report(I1, running('a'))).toThrow(TaskTransitionRefused);
    expect(await done).toBe(true);
    await writer.drain();
    expect(fake.calls.map(entries)).toEqual([['a@1:Succeeded']]);
  });
});
