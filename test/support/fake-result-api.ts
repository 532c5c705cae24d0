import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { afterEach, expect, vi } from 'vitest';
import type { AttemptResult } from '../../operator/api/task-result.ts';
import type { AttemptReport } from '../../operator/core/task-report.ts';
import { silentLogger } from '../../operator/log.ts';
import { taskResultName, type ResultChanges } from '../../operator/store/task-results.ts';
import { ReportWriter } from '../../actions-runtime/worker/report-writer.ts';

// What the ReportWriter tests share: a fake TaskResult store and reports to write into it.

export const ME = 'w1-abcde';
export const I1 = { namespace: 'ns', name: 'i1', uid: 'u1' };
export const I2 = { namespace: 'ns', name: 'i2', uid: 'u2' };
export const T1 = '2026-05-01T10:00:01.000Z';
export const T2 = '2026-05-01T10:00:02.000Z';

export type Fault = 'ok' | 500 | 422 | 'lost-after-apply';

export interface Call {
  verb: 'create' | 'patch';
  object: string;
  /** The results written (null: dropped). */
  results: ResultChanges;
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
 * TaskResult objects behind `createNamespacedCustomObject` and
 * `patchNamespacedCustomObject` (merge patch of spec.results), the only
 * methods the writer uses: 404 on a patch of a missing object, 409 on a
 * create of an existing one, as the API server answers. Calls can be held in
 * flight, and faults injected one per call; an output over `maxOutput`
 * characters is refused with 422, as the schema does.
 */
export class FakeResultApi {
  readonly objects = new Map<string, Record<string, AttemptResult>>();
  readonly calls: Call[] = [];
  readonly faults: Fault[] = [];
  maxOutput = 8192;
  #gate: Promise<void> | undefined;

  /** The results stored in the worker's object of an instance. */
  results(ref: { namespace: string; name: string }): Record<string, AttemptResult> | undefined {
    return this.objects.get(`${ref.namespace}/${taskResultName(ref.name, ME)}`);
  }

  /** Deletes the object, as the operator does once it has folded everything. */
  remove(ref: { namespace: string; name: string }): void {
    this.objects.delete(`${ref.namespace}/${taskResultName(ref.name, ME)}`);
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

  async #call(verb: Call['verb'], key: string, results: ResultChanges): Promise<void> {
    this.calls.push({ verb, object: key, results: structuredClone(results) });
    if (this.#gate) await this.#gate;
    const fault = this.faults.shift() ?? 'ok';
    if (fault === 500) throw apiException(500, 'InternalError', 'etcdserver: leader changed');
    const tooLong = Object.entries(results).find(
      ([, r]) => (r?.output?.length ?? 0) > this.maxOutput,
    );
    if (fault === 422 || tooLong) {
      throw apiException(422, 'Invalid', `spec.results.${tooLong?.[0]}.output: Too long`);
    }
    const existing = this.objects.get(key);
    if (verb === 'create' && existing) throw apiException(409, 'AlreadyExists', 'exists');
    if (verb === 'patch' && !existing) throw apiException(404, 'NotFound', 'not found');
    const next = { ...existing };
    for (const [k, r] of Object.entries(results)) {
      if (r === null) delete next[k];
      else next[k] = { ...next[k], ...r };
    }
    this.objects.set(key, next);
    if (fault === 'lost-after-apply') throw new TypeError('fetch failed: socket hang up');
  }

  api(): CustomObjectsApi {
    const api = {
      createNamespacedCustomObject: async (p: {
        plural: string;
        namespace: string;
        body: { metadata: { name: string }; spec: { results: ResultChanges } };
      }) => {
        expect(p.plural).toBe('taskresults');
        await this.#call('create', `${p.namespace}/${p.body.metadata.name}`, p.body.spec.results);
      },
      patchNamespacedCustomObject: async (p: {
        plural: string;
        namespace: string;
        name: string;
        body: { spec: { results: ResultChanges } };
      }) => {
        expect(p.plural).toBe('taskresults');
        await this.#call('patch', `${p.namespace}/${p.name}`, p.body.spec.results);
      },
    };
    return api as unknown as CustomObjectsApi;
  }
}

/** A fresh fake and writer per call; every writer is stopped after its test. */
export function writerSetup(): () => { fake: FakeResultApi; writer: ReportWriter } {
  const writers: ReportWriter[] = [];
  afterEach(() => {
    for (const w of writers.splice(0)) w.stop();
    vi.useRealTimers();
  });
  return () => {
    const fake = new FakeResultApi();
    const writer = new ReportWriter(fake.api(), ME, silentLogger());
    writers.push(writer);
    return { fake, writer };
  };
}

export function running(task: string, attempt = 1): AttemptReport {
  return { task, worker: ME, attempt, event: 'AttemptStarted', set: { startedAt: T1 } };
}

export function succeeded(task: string, attempt = 1, output?: unknown): AttemptReport {
  const set = { finishedAt: T2, ...(output !== undefined ? { output } : {}) };
  return { task, worker: ME, attempt, event: 'AttemptSucceeded', set };
}

/** The entries a call writes, each with its phase ("a@1:Running"), or "-a@1" for a drop. */
export function entries(call: Call | undefined): string[] {
  return Object.entries(call?.results ?? {}).map(([k, r]) => (r ? `${k}:${r.phase}` : `-${k}`));
}

export async function tick(ms = 0): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}
