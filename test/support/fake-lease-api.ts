import {
  ApiException,
  RequestContext,
  type ConfigurationOptions,
  type CoordinationV1Api,
  type V1Lease,
} from '@kubernetes/client-node';
import { until } from './until.ts';

// Test double of the Lease API, for the unit tests of LeaseClaim and its users:
// an in-memory Lease store with the API server's resourceVersion checks, behind
// per-caller views that can fail or hang. Objects go through JSON like on the wire, so MicroTime
// formatting and string timestamps are what a real server would see.

/** 'fail': no answer (connection refused); 'deny': an answer, 403; 'hang': no answer until aborted. */
export type CallerMode = 'ok' | 'fail' | 'deny' | 'hang';
/**
 * One caller's view: `calls` lists the verbs called, `aborts` why each hung
 * call ended ('TimeoutError': its own deadline; 'AbortError': its caller's signal);
 * `delayMs`: how long each call waits for its answer (on the global timers).
 */
export type Caller = { mode: CallerMode; calls: string[]; aborts: string[]; delayMs?: number };

export class FakeLeaseStore {
  readonly leases = new Map<string, Record<string, unknown>>();
  #rv = 0;

  get(name: string): V1Lease | undefined {
    const l = this.leases.get(name);
    return l ? (JSON.parse(JSON.stringify(l)) as V1Lease) : undefined;
  }

  /** Writes a lease directly, as another party would. */
  put(body: V1Lease): void {
    const name = body.metadata?.name ?? '';
    const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    const existing = this.leases.get(name)?.['metadata'] as { uid?: string } | undefined;
    const metadata = {
      ...(wire['metadata'] as object),
      uid: existing?.uid ?? `uid-${name}-${this.#rv}`,
      resourceVersion: String(++this.#rv),
    };
    this.leases.set(name, { ...wire, metadata });
  }

  /** A CoordinationV1Api view for one caller, whose `mode` the test flips. */
  api(caller: Caller): CoordinationV1Api {
    const gate = async (verb: string, opts?: ConfigurationOptions): Promise<RequestContext> => {
      caller.calls.push(verb);
      const ctx = new RequestContext('http://fake/', 'GET');
      for (const m of opts?.middleware ?? []) await m.pre(ctx).toPromise();
      const signal = ctx.getSignal();
      if (caller.delayMs) await new Promise((r) => setTimeout(r, caller.delayMs));
      if (caller.mode === 'fail') {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      }
      if (caller.mode === 'deny') throw status(403, 'Forbidden');
      if (caller.mode === 'hang') {
        await new Promise<void>((_, reject) => {
          if (!signal) return;
          signal.addEventListener('abort', () => {
            const reason: unknown = signal.reason;
            caller.aborts.push(reason instanceof Error ? reason.name : String(reason));
            reject(reason instanceof Error ? reason : new Error('aborted'));
          });
        });
      }
      return ctx;
    };
    const found = (name: string): Record<string, unknown> => {
      const l = this.leases.get(name);
      if (!l) throw status(404, 'NotFound');
      return l;
    };
    const api = {
      readNamespacedLease: async (p: { name: string }, o?: ConfigurationOptions) => {
        await gate('read', o);
        found(p.name);
        return this.get(p.name);
      },
      createNamespacedLease: async (p: { body: V1Lease }, o?: ConfigurationOptions) => {
        await gate('create', o);
        const name = p.body.metadata?.name ?? '';
        if (this.leases.has(name)) throw status(409, 'AlreadyExists');
        this.put(p.body);
        return this.get(name);
      },
      replaceNamespacedLease: async (
        p: { name: string; body: V1Lease },
        o?: ConfigurationOptions,
      ) => {
        await gate('replace', o);
        const current = found(p.name)['metadata'] as { resourceVersion: string };
        if (p.body.metadata?.resourceVersion !== current.resourceVersion) {
          throw status(409, 'Conflict');
        }
        this.put(p.body);
        return this.get(p.name);
      },
      patchNamespacedLease: async (
        p: { name: string; body: unknown },
        o?: ConfigurationOptions,
      ) => {
        const ctx = await gate('patch', o);
        if (ctx.getHeaders()['Content-Type'] !== 'application/merge-patch+json') {
          throw status(415, 'UnsupportedMediaType');
        }
        const merged = applyMergePatch(found(p.name), p.body);
        this.put(merged as V1Lease);
        return this.get(p.name);
      },
      deleteNamespacedLease: async (
        p: { name: string; body?: { preconditions?: { uid?: string } } },
        o?: ConfigurationOptions,
      ) => {
        await gate('delete', o);
        const { uid } = found(p.name)['metadata'] as { uid: string };
        const wanted = p.body?.preconditions?.uid;
        if (wanted !== undefined && wanted !== uid) throw status(409, 'Conflict');
        this.leases.delete(p.name);
        return {};
      },
    };
    return api as unknown as CoordinationV1Api;
  }
}

export function newCaller(): Caller {
  return { mode: 'ok', calls: [], aborts: [] };
}

/** How many times `caller` called `verb`. */
export function callsOf(caller: Caller, verb: string): number {
  return caller.calls.filter((c) => c === verb).length;
}

/** Waits until `caller` made `n` more attempts (each of its attempts begins with a read). */
export async function moreAttempts(caller: Caller, n: number): Promise<void> {
  const before = callsOf(caller, 'read');
  await until(() => callsOf(caller, 'read') >= before + n);
}

function status(code: number, reason: string): ApiException<string> {
  return new ApiException(
    code,
    'fake',
    JSON.stringify({ kind: 'Status', code, reason, message: reason }),
    {},
  );
}

// RFC 7386.
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
