import { describe, expect, it, vi } from 'vitest';
import { templateReferences } from '../../operator/core/templates.ts';
import { KubeApiError } from '../../operator/kube/errors.ts';
import { silentLogger } from '../../operator/log.ts';
import type { AttemptDataStore } from '../../operator/store/attempt-data.ts';
import { finalReport, upstreamOutputs } from './attempt-values.ts';
import type { LocalAttempt } from './local-attempts.ts';

const bounds = { inlineBytes: 1024, maxBytes: 8192 };
const big = { fill: 'x'.repeat(2000) };

function attempt(): LocalAttempt {
  return {
    namespace: 'ns',
    instance: 'inst',
    task: 'a',
    attempt: 1,
    dagRevision: 'rev',
    abort: new AbortController(),
    state: 'running',
  };
}

function deps(create: AttemptDataStore['create']): Parameters<typeof finalReport>[4] {
  return { data: { create } as unknown as AttemptDataStore, bounds, log: silentLogger() };
}

/** The final report of an attempt that returned `big`, with data writes done by `create`. */
function reportBig(create: AttemptDataStore['create'], a = attempt()) {
  return finalReport(a, 'u', { event: 'AttemptSucceeded', output: big }, undefined, deps(create));
}

describe('finalReport', () => {
  it('reports a small output inline and writes no data object', async () => {
    const create = vi.fn<AttemptDataStore['create']>();
    const r = await finalReport(
      attempt(),
      'u',
      { event: 'AttemptSucceeded', output: { ok: 1 } },
      undefined,
      deps(create),
    );
    expect(r.outcome.event).toBe('AttemptSucceeded');
    expect(r.set).toMatchObject({ output: { ok: 1 } });
    expect(create).not.toHaveBeenCalled();
  });

  it('writes a larger output and params to the data object first, then names it', async () => {
    const create = vi.fn<AttemptDataStore['create']>().mockResolvedValue('inst-d1-1');
    const r = await finalReport(
      attempt(),
      'u',
      { event: 'AttemptSucceeded', output: big },
      big,
      deps(create),
    );
    expect(create).toHaveBeenCalledOnce();
    const [ref, owner, stored] = create.mock.calls[0] ?? [];
    expect(ref).toMatchObject({ instance: { namespace: 'ns', name: 'inst' }, task: 'a' });
    expect(owner).toMatchObject({ kind: 'DagInstance', name: 'inst', uid: 'u' });
    expect(stored).toEqual({ output: JSON.stringify(big), params: JSON.stringify(big) });
    expect(r.set).toMatchObject({ outputRef: 'inst-d1-1', paramsRef: 'inst-d1-1' });
    expect(r.set.output).toBeUndefined();
  });

  it('keeps the params of a failed attempt by reference too', async () => {
    const create = vi.fn<AttemptDataStore['create']>().mockResolvedValue('inst-d1-1');
    const failed = { event: 'AttemptFailed', reason: 'ActionFailed', message: 'boom' } as const;
    const r = await finalReport(attempt(), 'u', failed, big, deps(create));
    expect(r.outcome).toEqual(failed);
    expect(r.set).toMatchObject({
      reason: 'ActionFailed',
      message: 'boom',
      paramsRef: 'inst-d1-1',
    });
  });

  it('retries a data object write that fails for a passing reason', async () => {
    const create = vi
      .fn<AttemptDataStore['create']>()
      .mockRejectedValueOnce(new KubeApiError(503, 'ServiceUnavailable', 'etcd leader changed'))
      .mockResolvedValue('inst-d1-1');
    const r = await reportBig(create);
    expect(create).toHaveBeenCalledTimes(2);
    expect(r.set).toMatchObject({ outputRef: 'inst-d1-1' });
  });

  it('fails the attempt, quoting the API server, when it refuses the data object', async () => {
    const refusal = new KubeApiError(422, 'Invalid', 'ConfigMap "inst-d1-1" is invalid: too long');
    const create = vi.fn<AttemptDataStore['create']>().mockRejectedValue(refusal);
    const r = await reportBig(create);
    expect(r.outcome).toMatchObject({ event: 'AttemptFailed', reason: 'ResultRefused' });
    expect(r.set.message).toContain('is invalid: too long');
    expect(r.set.outputRef).toBeUndefined();
  });

  it('stops retrying once the attempt is aborted, and says why', async () => {
    const a = attempt();
    const create = vi.fn<AttemptDataStore['create']>().mockImplementation(() => {
      a.abort.abort(new Error('worker stopping'));
      return Promise.reject(new Error('connection refused'));
    });
    const r = await reportBig(create, a);
    expect(r.outcome).toMatchObject({ event: 'AttemptFailed', reason: 'Aborted' });
    expect(r.set.message).toContain('connection refused');
  });
});

describe('upstreamOutputs', () => {
  it('reads each referenced output once per attempt, and inline ones from status', async () => {
    const read = vi
      .fn<AttemptDataStore['read']>()
      .mockResolvedValue({ output: { marker: 'm' }, params: { p: 1 } });
    const tasks = {
      small: { phase: 'Succeeded' as const, output: 1 },
      large: { phase: 'Succeeded' as const, outputRef: 'inst-d2-1' },
    };
    const refs = templateReferences({
      x: '{{tasks.small.output}}',
      y: '{{tasks.large.output.marker}}',
      z: '{{tasks.large.output}}',
    });
    const outputs = await upstreamOutputs(attempt(), 'u', tasks, refs, {
      read,
    } as unknown as AttemptDataStore);
    expect(outputs).toEqual({ small: 1, large: { marker: 'm' } });
    expect(read).toHaveBeenCalledExactlyOnceWith('ns', 'inst-d2-1', 'u');
  });
});
