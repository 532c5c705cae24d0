/**
 * Watch fan-out (docs/architecture.md): an instance's wave of ready tasks
 * is packed onto as few workers as its size allows, so each write of the
 * instance reaches only them. Work the instance has shown to be short
 * queues on the root's worker beyond its slots; work of unknown length goes
 * to free slots first, and so spreads over both workers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DagInstance } from '../../operator/api/objects.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';

const SLOTS = 4;
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('wave-packing'));
  env.startOperator('operator-a');
  env.startWorker('wa', { concurrency: SLOTS });
  env.startWorker('wb', { concurrency: SLOTS });
  await env.workerInUse('wa');
  await env.workerInUse('wb');
}, 120_000);
afterAll(async () => env.stop());

/** root → `width` children sleeping `seconds` → join. */
function wave(width: number, seconds: number) {
  const ids = Array.from({ length: width }, (_, i) => `c${i}`);
  return {
    tasks: [
      { id: 'root', actionName: 'sleep', params: { seconds: 0 } },
      ...ids.map((id) => ({ id, actionName: 'sleep', params: { seconds }, dependOn: ['root'] })),
      { id: 'join', actionName: 'sleep', params: { seconds: 0 }, dependOn: ids },
    ],
  };
}

/** Which worker ran each child, counted per worker. */
function childrenPerWorker(done: DagInstance): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [id, t] of Object.entries(done.status?.tasks ?? {})) {
    if (!id.startsWith('c')) continue;
    expect(t).toMatchObject({ phase: 'Succeeded', attempt: 1 });
    counts[t.worker ?? ''] = (counts[t.worker ?? ''] ?? 0) + 1;
  }
  return counts;
}

describe('wave packing', () => {
  it("queues a wave of short work on the root's worker, so no other worker holds a task of it", async () => {
    // 12 no-op children, 4 slots: the root's own time says they are short.
    await env.createDag('short', wave(12, 0));
    await env.createInstance('short-1', 'short');
    const done = await env.finished('short-1');
    expect(done.status?.phase).toBe('Succeeded');
    const root = done.status?.tasks?.['root']?.worker ?? '';
    expect(root).not.toBe('');
    // The other worker never held a task of it, so it was never labelled for its writes.
    expect(childrenPerWorker(done)).toEqual({ [root]: 12 });
    expect(done.status?.tasks?.['join']?.worker).toBe(root);
  });

  it('gives work of unknown length the free slots of every worker, no more', async () => {
    // The children sleep: another kind of work than the root, nothing says how long it takes.
    await env.createDag('unknown', wave(2 * SLOTS, 0.5));
    await env.createInstance('unknown-1', 'unknown');
    const done = await env.finished('unknown-1');
    expect(done.status?.phase).toBe('Succeeded');
    const counts = childrenPerWorker(done);
    expect(Object.values(counts)).toEqual([SLOTS, SLOTS]);
  });
});
