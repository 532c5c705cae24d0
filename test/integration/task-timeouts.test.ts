import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const beater = fileURLToPath(new URL('../support/actions/beater.ts', import.meta.url));
let env: FastflowEnv;
let frozen: FastflowProcess;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('timeouts'));
  env.startOperator('operator-a');
  // A long Lease: stopped, this worker stays "alive" to the operator for a minute
  // and holds what it is given without ever starting it.
  frozen = env.startWorker('frozen', {
    actions: [beater],
    env: { FASTFLOW_LEASE_DURATION_SECS: '60' },
  });
  await env.workerInUse('frozen');
  env.startWorker('spare', { actions: [beater] });
  await env.workerInUse('spare');
}, 120_000);
afterAll(async () => env.stop());

const retryOnce = { limit: 1, backoff: { seconds: 0 } };

describe('schedule-to-start', () => {
  it('fails an attempt no worker starts in time and retries it on another worker', async () => {
    frozen.kill('SIGSTOP');
    try {
      await env.createDag('unstarted', {
        tasks: [
          {
            id: 'quick',
            actionName: 'beater',
            params: { seconds: 0 },
            scheduleToStartSecs: 2,
            retry: retryOnce,
          },
        ],
      });
      await env.createInstance('unstarted-1', 'unstarted');
      // Both workers are idle: the tie goes to the first by name, the frozen one.
      const scheduled = await env.waitForInstance(
        'unstarted-1',
        (i) => i.status?.tasks?.['quick']?.phase === 'Scheduled',
      );
      expect(scheduled.status?.tasks?.['quick']?.worker).toMatch(/^frozen-/);
      const done = await env.finished('unstarted-1', 30_000);
      expect(done.status?.phase).toBe('Succeeded');
      const quick = done.status?.tasks?.['quick'];
      expect(quick).toMatchObject({ phase: 'Succeeded', attempt: 2 });
      expect(quick?.worker).toMatch(/^spare-/);
      expect(quick?.history?.[0]).toMatchObject({
        attempt: 1,
        phase: 'Failed',
        reason: 'ScheduleToStartTimeout',
      });
      expect(quick?.history?.[0]?.worker).toMatch(/^frozen-/);
      expect(quick?.history?.[0]?.message).toContain('within scheduleToStartSecs (2s)');
    } finally {
      frozen.kill('SIGCONT');
    }
  }, 60_000);
});

describe('heartbeat', () => {
  it('fails a running action that stops beating and retries it; one that beats outlives the timeout', async () => {
    await env.createDag('silent', {
      tasks: [
        {
          id: 'long',
          actionName: 'beater',
          params: { seconds: 4, stallAttempts: 1 },
          heartbeatTimeoutSecs: 2,
          retry: retryOnce,
        },
      ],
    });
    await env.createInstance('silent-1', 'silent');
    const done = await env.finished('silent-1', 60_000);
    expect(done.status?.phase).toBe('Succeeded');
    const long = done.status?.tasks?.['long'];
    expect(long).toMatchObject({ phase: 'Succeeded', attempt: 2 });
    // Attempt 2 ran twice as long as the timeout, beating all along.
    expect(long?.heartbeats).toBeGreaterThan(2);
    expect(long?.history?.[0]).toMatchObject({
      attempt: 1,
      phase: 'Failed',
      reason: 'HeartbeatTimeout',
    });
    expect(long?.history?.[0]?.message).toContain('heartbeatTimeoutSecs (2s)');
    // The next attempt avoided the worker whose action fell silent.
    expect(long?.worker).not.toBe(long?.history?.[0]?.worker);
  }, 90_000);

  it('refuses a Dag with a negative or zero timeout at admission', async () => {
    for (const field of ['scheduleToStartSecs', 'heartbeatTimeoutSecs']) {
      for (const bad of [-1, 0]) {
        const body = JSON.stringify({
          apiVersion: 'fastflow.io/v1alpha1',
          kind: 'Dag',
          metadata: { name: `bad-${field.toLowerCase()}-${bad + 1}` },
          spec: { tasks: [{ id: 'a', actionName: 'print', [field]: bad }] },
        });
        const applied = await env.kubectl(['apply', '-f', '-'], body);
        expect(applied.code).not.toBe(0);
        expect(applied.stderr).toContain(`spec.tasks[0].${field}`);
        expect(applied.stderr).toContain('should be greater than or equal to 1');
      }
    }
  });
});
