import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskStatus } from '../../operator/api/dag-instance.ts';
import type { JsonPatchOp } from '../../operator/core/task-report.ts';
import { silentLogger } from '../../operator/log.ts';
import { ReportWriter } from './report-writer.ts';

const ME = 'w1-abcde';
const OTHER = 'w2-fghij';
const I1 = { namespace: 'ns', name: 'i1' };
const I2 = { namespace: 'ns', name: 'i2' };

type Fault = 'ok' | 500 | 404 | 'lost-after-apply';

interface Call {
  instance: string;
  body: JsonPatchOp[];
}

function apiException(code: number, reason: string, message: string): ApiException<unknown> {
  // What client-node throws: the body is the raw JSON text of a Status.
  return new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message }),
    {},
  );
}

/**
 * A DagInstance status store behind `patchNamespacedCustomObjectStatus`, the
 * only method the writer uses: applies a JSON Patch's `test` and `add` ops
 * atomically, refusing the whole patch with 422 when a test fails, as the API
 * server does. Calls can be held in flight, and faults injected one per call.
 */
class FakeStatusApi {
  readonly instances = new Map<string, Record<string, Record<string, unknown>>>();
  readonly calls: Call[] = [];
  readonly faults: Fault[] = [];
  #gate: Promise<void> | undefined;

  assign(ref: { namespace: string; name: string }, task: string, entry: TaskStatus): void {
    const key = `${ref.namespace}/${ref.name}`;
    const tasks = this.instances.get(key) ?? {};
    tasks[task] = { ...entry };
    this.instances.set(key, tasks);
  }

  task(
    ref: { namespace: string; name: string },
    task: string,
  ): Record<string, unknown> | undefined {
    return this.instances.get(`${ref.namespace}/${ref.name}`)?.[task];
  }

  /** Holds every call made from now on until the returned function is called. */
  hold(): () => void {
    let release: () => void = () => {};
    this.#gate = new Promise<void>((r) => (release = r));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  api(): CustomObjectsApi {
    const api = {
      patchNamespacedCustomObjectStatus: async (p: {
        group: string;
        version: string;
        plural: string;
        namespace: string;
        name: string;
        body: JsonPatchOp[];
      }) => {
        expect(p).toMatchObject({
          group: 'fastflow.io',
          version: 'v1alpha1',
          plural: 'daginstances',
        });
        const instance = `${p.namespace}/${p.name}`;
        this.calls.push({ instance, body: structuredClone(p.body) });
        if (this.#gate) await this.#gate;
        const fault = this.faults.shift() ?? 'ok';
        if (fault === 500) throw apiException(500, 'InternalError', 'etcdserver: leader changed');
        const tasks = this.instances.get(instance);
        if (fault === 404 || !tasks) {
          throw apiException(404, 'NotFound', `daginstances.fastflow.io "${p.name}" not found`);
        }
        const next = structuredClone(tasks);
        for (const op of p.body) {
          const [, , , key = '', field = ''] = op.path
            .split('/')
            .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
          const entry = next[key];
          if (op.op === 'test') {
            if (entry?.[field] !== op.value) {
              throw apiException(
                422,
                'Invalid',
                'the server rejected our request due to an error in our request',
              );
            }
          } else {
            if (!entry) throw apiException(422, 'Invalid', `missing path ${op.path}`);
            entry[field] = op.value;
          }
        }
        this.instances.set(instance, next);
        if (fault === 'lost-after-apply') throw new TypeError('fetch failed: socket hang up');
        return { status: { tasks: next } };
      },
    };
    return api as unknown as CustomObjectsApi;
  }
}

function setup(): { fake: FakeStatusApi; writer: ReportWriter } {
  const fake = new FakeStatusApi();
  const writer = new ReportWriter(fake.api(), silentLogger());
  writers.push(writer);
  return { fake, writer };
}

const writers: ReportWriter[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) w.stop();
  vi.useRealTimers();
});

const T1 = '2026-05-01T10:00:01.000Z';
const T2 = '2026-05-01T10:00:02.000Z';

function running(
  task: string,
  attempt = 1,
): { task: string; worker: string; attempt: number; set: { phase: 'Running'; startedAt: string } } {
  return { task, worker: ME, attempt, set: { phase: 'Running', startedAt: T1 } };
}

function succeeded(
  task: string,
  attempt = 1,
): {
  task: string;
  worker: string;
  attempt: number;
  set: { phase: 'Succeeded'; finishedAt: string };
} {
  return { task, worker: ME, attempt, set: { phase: 'Succeeded', finishedAt: T2 } };
}

/** The tasks a patch writes, with the phase each `test` op expects. */
function fences(call: Call | undefined): string[] {
  return (call?.body ?? [])
    .filter((op) => op.op === 'test' && op.path.endsWith('/phase'))
    .map((op) => `${op.path.split('/')[3]}:${String(op.value)}`);
}

async function tick(ms = 0): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describe('ReportWriter', () => {
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

  it('drain() resolves at once when nothing is queued', async () => {
    const { writer } = setup();
    await writer.drain();
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
