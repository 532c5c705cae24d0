import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, expect, vi } from 'vitest';
import type { TaskStatus } from '../../operator/api/dag-instance.ts';
import type { AttemptReport, JsonPatchOp } from '../../operator/core/task-report.ts';
import { silentLogger } from '../../operator/log.ts';
import { ReportWriter } from '../../actions-runtime/worker/report-writer.ts';

// What the ReportWriter tests share: a fake status store and reports to write into it.

export const ME = 'w1-abcde';
export const OTHER = 'w2-fghij';
export const I1 = { namespace: 'ns', name: 'i1' };
export const I2 = { namespace: 'ns', name: 'i2' };
export const T1 = '2026-05-01T10:00:01.000Z';
export const T2 = '2026-05-01T10:00:02.000Z';

export type Fault = 'ok' | 500 | 404 | 'lost-after-apply';

export interface Call {
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
export class FakeStatusApi {
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

/** A fresh fake and writer per call; every writer is stopped after its test. */
export function writerSetup(): () => { fake: FakeStatusApi; writer: ReportWriter } {
  const writers: ReportWriter[] = [];
  afterEach(() => {
    for (const w of writers.splice(0)) w.stop();
    vi.useRealTimers();
  });
  return () => {
    const fake = new FakeStatusApi();
    const writer = new ReportWriter(fake.api(), silentLogger());
    writers.push(writer);
    return { fake, writer };
  };
}

export function running(task: string, attempt = 1): AttemptReport {
  return { task, worker: ME, attempt, event: 'AttemptStarted', set: { startedAt: T1 } };
}

export function succeeded(task: string, attempt = 1): AttemptReport {
  return { task, worker: ME, attempt, event: 'AttemptSucceeded', set: { finishedAt: T2 } };
}

/** The tasks a patch writes, with the phase each `test` op expects. */
export function fences(call: Call | undefined): string[] {
  return (call?.body ?? [])
    .filter((op) => op.op === 'test' && op.path.endsWith('/phase'))
    .map((op) => `${op.path.split('/')[3]}:${String(op.value)}`);
}

export async function tick(ms = 0): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
