import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TASK_PHASES, type DagInstanceStatus, type TaskStatus } from '../api/dag-instance.ts';
import { MAX_SHARD_BYTES, SHARD_TASKS } from '../api/task-shard.ts';
import {
  MAX_STOPPED_IN_STATUS,
  afterShard,
  countPhases,
  entryBytes,
  planShard,
  reassemble,
  shardedStub,
  withSharded,
  withoutSharded,
  type ShardPlan,
} from './compaction.ts';
import { decide } from './decide.ts';
import { graphOf, start, worker, T0 } from '../../test/support/decide-fixtures.ts';
import { randomDag } from '../../test/support/decide-simulation.ts';

const stamp = (s: number): string => new Date(T0.getTime() + s * 1000).toISOString();

function entries(n: number, phase: TaskStatus['phase'], extra: Partial<TaskStatus> = {}) {
  const tasks: Record<string, TaskStatus> = {};
  // Finished in reverse order of their keys: age, not the key, decides.
  for (let i = 0; i < n; i++)
    tasks[`${phase}-${i}`] = { phase, finishedAt: stamp(n - i), ...extra };
  return tasks;
}

/** Compacts until planShard says the status is within its bounds. */
function compactAll(status: DagInstanceStatus): { status: DagInstanceStatus; shards: ShardPlan[] } {
  const shards: ShardPlan[] = [];
  for (let plan = planShard(status); plan; plan = planShard(status)) {
    shards.push(plan);
    status = afterShard(status, plan);
  }
  return { status, shards };
}

describe('planShard', () => {
  it('leaves fewer than 32 finished entries and up to 100 failed ones in status', () => {
    const tasks = { ...entries(31, 'Succeeded'), ...entries(MAX_STOPPED_IN_STATUS, 'Failed') };
    expect(planShard({ tasks })).toBeUndefined();
  });

  it('takes every Succeeded/Skipped entry once 32 have accumulated, in one shard', () => {
    const tasks = {
      ...entries(20, 'Succeeded'),
      ...entries(20, 'Skipped'),
      run: { phase: 'Running' as const },
    };
    const plan = planShard({ tasks, shards: 3 });
    expect(plan?.index).toBe(3);
    // A wave that ends together is one shard, not one per 32 (each a write before the status's).
    expect(Object.keys(plan?.tasks ?? {})).toHaveLength(40);
    expect(plan?.tasks['run']).toBeUndefined();
  });

  it('takes the oldest SHARD_TASKS of a larger pile, the rest for the next shard', () => {
    const plan = planShard({ tasks: entries(SHARD_TASKS + 5, 'Succeeded') });
    expect(Object.keys(plan?.tasks ?? {})).toHaveLength(SHARD_TASKS);
    expect(plan?.tasks['Succeeded-0']).toBeUndefined(); // the newest wait
  });

  it('takes the oldest failed entries past 100, and either kind past 64 KiB of them', () => {
    expect(Object.keys(planShard({ tasks: entries(101, 'Failed') })?.tasks ?? {})).toHaveLength(32);
    const wordy = entries(20, 'Canceled', { message: 'x'.repeat(4000) });
    expect(planShard({ tasks: wordy })).toBeDefined();
    const bulky = entries(9, 'Succeeded', { output: 'y'.repeat(8000) });
    expect(Object.keys(planShard({ tasks: bulky })?.tasks ?? {})).toHaveLength(9);
  });

  it('keeps a shard under its byte bound whatever the outputs', () => {
    const big = entries(SHARD_TASKS, 'Succeeded', {
      output: 'y'.repeat(8000),
      params: 'p'.repeat(4000),
    });
    const plan = planShard({ tasks: big });
    const bytes = Object.entries(plan?.tasks ?? {}).reduce((s, [k, e]) => s + entryBytes(k, e), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_SHARD_BYTES);
    expect(Object.keys(plan?.tasks ?? {}).length).toBeLessThan(SHARD_TASKS);
  });
});

describe('afterShard', () => {
  it('removes an entry read back with its keys in another order (the API server sorts them)', () => {
    const entry: TaskStatus = { phase: 'Succeeded', output: { b: 1, a: [2] }, attempt: 1 };
    const readBack = JSON.parse('{"attempt":1,"output":{"a":[2],"b":1},"phase":"Succeeded"}');
    const after = afterShard({ tasks: { t: entry } }, { index: 0, tasks: { t: readBack } });
    expect(after.tasks).toEqual({});
    const other = { ...readBack, output: { a: [3], b: 1 } };
    expect(afterShard({ tasks: { t: entry } }, { index: 0, tasks: { t: other } }).tasks).toEqual({
      t: entry,
    });
  });

  it('removes the shard entries and counts the shard; an entry changed since stays', () => {
    const tasks = entries(32, 'Succeeded');
    const plan = planShard({ tasks, shards: 0 });
    const changed = { ...tasks, 'Succeeded-5': { phase: 'Scheduled' as const, attempt: 2 } };
    const after = afterShard({ tasks: changed }, plan ?? { index: 0, tasks: {} });
    expect(after.shards).toBe(1);
    expect(Object.keys(after.tasks ?? {})).toEqual(['Succeeded-5']);
  });
});

const phase = fc.constantFrom(...TASK_PHASES);
const entry: fc.Arbitrary<TaskStatus> = fc.record(
  {
    phase,
    attempt: fc.integer({ min: 1, max: 5 }),
    finishedAt: fc.integer({ min: 0, max: 1e6 }).map(stamp),
    output: fc.string({ maxLength: 3000 }),
  },
  { requiredKeys: ['phase'] },
);

describe('compaction and reassembly', () => {
  it('give back the original entries, with bounded shards and a bounded status', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), entry, { maxKeys: 400 }),
        (tasks) => {
          const { status, shards } = compactAll({ tasks });
          expect(reassemble({ status }, shards).status.tasks).toEqual(tasks);
          shards.forEach((s, i) => expect(s.index).toBe(i));
          expect(status.shards ?? 0).toBe(shards.length);
          for (const s of shards) {
            expect(Object.keys(s.tasks).length).toBeLessThanOrEqual(SHARD_TASKS);
          }
          const left = Object.values(status.tasks ?? {});
          expect(
            left.filter((t) => ['Succeeded', 'Skipped'].includes(t.phase)).length,
          ).toBeLessThan(32);
          expect(
            left.filter((t) => ['Failed', 'Canceled', 'Blocked'].includes(t.phase)).length,
          ).toBeLessThanOrEqual(100);
        },
      ),
    );
  });

  it('decide reads a compacted instance as it reads the whole one', () => {
    fc.assert(
      fc.property(randomDag, fc.infiniteStream(fc.boolean()), ({ tasks: specs }, coins) => {
        const graph = graphOf(specs);
        const full: Record<string, TaskStatus> = {};
        let s = 0;
        for (const id of graph.order) {
          const ready = (graph.parents.get(id) ?? []).every((p) => full[p]?.phase === 'Succeeded');
          const ok = coins.next().value as boolean;
          if (ready)
            full[id] = {
              phase: ok || s < 20 ? 'Succeeded' : 'Skipped',
              attempt: 1,
              finishedAt: stamp(s++),
            };
        }
        const base = { ...start(), tasks: full };
        const { status, shards } = compactAll(base);
        const sharded = new Map<string, TaskStatus>();
        for (const sh of shards)
          for (const [k, e] of Object.entries(sh.tasks)) sharded.set(k, shardedStub(e));
        const workers = [worker('w', ['A', 'B', 'C'], 1000)];
        const input = { graph, workers, generation: 1, now: new Date(T0.getTime() + 5e6) };
        const whole = decide({ ...input, status: base });
        const parts = decide({ ...input, status: withSharded(status, sharded) });
        expect(parts.assigned).toEqual(whole.assigned);
        expect(parts.status.phase).toBe(whole.status.phase);
        expect(parts.status.progress).toBe(whole.status.progress);
        const written = withoutSharded(parts.status, sharded);
        expect(reassemble({ status: written }, shards).status.tasks).toEqual(whole.status.tasks);
        expect(countPhases(graph.order, written.tasks ?? {}, sharded)).toEqual(
          countPhases(graph.order, whole.status.tasks ?? {}, new Map()),
        );
      }),
    );
  });
});

describe('a compacted chain', () => {
  const graph = graphOf(
    Array.from({ length: 70 }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
      ...(i > 0 ? { dependOn: [`t${i - 1}`] } : {}),
    })),
  );
  const tasks: Record<string, TaskStatus> = {};
  for (let i = 0; i < 65; i++)
    tasks[`t${i}`] = { phase: 'Succeeded', attempt: 1, finishedAt: stamp(i) };
  const { status, shards } = compactAll({ ...start(), tasks });
  const sharded = new Map<string, TaskStatus>();
  for (const sh of shards)
    for (const [k, e] of Object.entries(sh.tasks)) sharded.set(k, shardedStub(e));
  const input = {
    graph,
    workers: [worker('w', ['A'])],
    generation: 1,
    now: new Date(T0.getTime() + 1e6),
    // One step at a time: pre-assigned chains are pre-assign.test.ts's.
    chainLookAhead: 0,
  };

  it('moves all 65 finished entries into one shard', () => {
    expect(shards.map((s) => Object.keys(s.tasks).length)).toEqual([65]);
    expect(status.tasks).toEqual({});
  });

  it('starts the next step, nothing sharded again, and counts every task', () => {
    const d = decide({ ...input, status: withSharded(status, sharded) });
    expect(d.assigned.map((a) => a.task)).toEqual(['t65']);
    expect(d.status.progress).toBe('65/70');
    const written = withoutSharded(d.status, sharded);
    expect(Object.keys(written.tasks ?? {})).toEqual(['t65']);
    expect(countPhases(graph.order, written.tasks ?? {}, sharded)).toEqual({
      Succeeded: 65,
      Scheduled: 1,
      Pending: 4,
    });
  });

  it('without the shards it would start the chain again: the lookup is what keeps it right', () => {
    expect(decide({ ...input, status }).assigned.map((a) => a.task)).toContain('t0');
  });
});
