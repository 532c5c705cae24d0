// Finished instances deleted by the operator: ttlSecondsAfterFinished (the
// instance's, its Dag's, the operator's default) and the Dag's history limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { refusal } from '../support/kube-requests.ts';

let env: FastflowEnv;
const print = [{ id: 'a', actionName: 'print' }];

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('lifecycle'));
  // The operator's default: 1 s, for instances whose Dag and spec set none.
  env.startOperator('operator-a', { env: { FASTFLOW_TTL_SECONDS_AFTER_FINISHED: '1' } });
  env.startWorker('worker');
});
afterAll(async () => env.stop());

/** Waits until the instances that exist, among `names`, are exactly `expected`. */
async function existing(names: string[], expected: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let now: string[] = [];
  while (Date.now() < deadline) {
    now = (await env.instanceNames()).filter((n) => names.includes(n));
    if (JSON.stringify(now) === JSON.stringify([...expected].sort())) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected instances ${expected.join(', ')}; there are ${now.join(', ')}`);
}

describe('ttlSecondsAfterFinished', () => {
  it('deletes an instance with its own TTL of 0 once it finishes', async () => {
    await env.createDag('kept', { tasks: print, ttlSecondsAfterFinished: 3600 });
    await env.createInstance('at-once', 'kept', undefined, { ttlSecondsAfterFinished: 0 });
    await existing(['at-once'], []);
  });

  it("takes the instance's TTL over the Dag's, the Dag's over the operator's", async () => {
    await env.createDag('short', { tasks: print, ttlSecondsAfterFinished: 1 });
    await env.createInstance('own-ttl', 'short', undefined, { ttlSecondsAfterFinished: 3600 });
    expect((await env.finished('own-ttl')).status?.phase).toBe('Succeeded');
    // `dag-ttl` finishes after `own-ttl`: once the Dag's 1 s has deleted it,
    // it would have deleted `own-ttl` too, had the instance's TTL not won.
    await env.createInstance('dag-ttl', 'short');
    await existing(['own-ttl', 'dag-ttl'], ['own-ttl']);
    // The 1-hour Dag TTL wins over the operator's 1 s in the same way.
    await env.createInstance('dag-long', 'kept');
    expect((await env.finished('dag-long')).status?.phase).toBe('Succeeded');
    await env.createInstance('short-2', 'short');
    await existing(['dag-long', 'short-2'], ['dag-long']);
  });

  it("uses the operator's default when neither the instance nor its Dag sets one", async () => {
    await env.createDag('plain', { tasks: print });
    await env.createInstance('plain-1', 'plain');
    await existing(['plain-1'], []);
  });
});

describe('history limits', () => {
  it('keeps the newest succeeded and failed instances of a Dag, deletes the oldest', async () => {
    await env.createDag('hist', {
      tasks: print,
      vars: { v: { defaultValue: 'x' } },
      ttlSecondsAfterFinished: 3600,
      successfulInstancesHistoryLimit: 2,
      failedInstancesHistoryLimit: 1,
    });
    const names = ['s1', 's2', 's3', 's4', 'f1', 'f2'];
    for (const name of ['s1', 's2', 's3', 's4']) {
      await env.createInstance(name, 'hist');
      await env.finished(name);
    }
    // An undeclared var fails the instance at start.
    for (const name of ['f1', 'f2']) {
      await env.createInstance(name, 'hist', { undeclared: 'x' });
      expect((await env.finished(name)).status?.phase).toBe('Failed');
    }
    await existing(names, ['s3', 's4', 'f2']);
  });
});

describe('admission', () => {
  it('refuses negative TTLs and history limits, naming the field', async () => {
    const dag = await refusal(
      env.createDag('bad-ttl', { tasks: print, ttlSecondsAfterFinished: -1 }),
    );
    expect(dag.code).toBe(422);
    expect(dag.stderr).toContain('spec.ttlSecondsAfterFinished');
    const limit = await refusal(
      env.createDag('bad-limit', { tasks: print, failedInstancesHistoryLimit: 'two' }),
    );
    expect(limit.code).toBe(422);
    expect(limit.stderr).toContain('spec.failedInstancesHistoryLimit');
    const instance = await refusal(
      env.createInstance('bad-ttl-1', 'kept', undefined, { ttlSecondsAfterFinished: -5 }),
    );
    expect(instance.code).toBe(422);
    expect(instance.stderr).toContain('spec.ttlSecondsAfterFinished');
  });
});
