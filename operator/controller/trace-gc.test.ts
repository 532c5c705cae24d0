import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import type { TraceSeen } from '../core/trace-gc.ts';
import { silentLogger } from '../log.ts';
import type { TraceStore } from '../store/traces.ts';
import { TraceGc } from './trace-gc.ts';

const withTasks = (tasks: Record<string, TaskStatus>): DagInstance => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: { name: 'i', namespace: 'ns' },
  spec: { dagRef: { name: 'd' } },
  status: { phase: 'Running', tasks },
});

/** A trace store holding traces of task `a` for attempts 1..n; records lists and deletes. */
function store(n: number) {
  const calls: string[] = [];
  const traces: TraceSeen[] = Array.from({ length: n }, (_, i) => ({
    name: `a-${i + 1}`,
    task: 'a',
    attempt: i + 1,
    createdAt: i,
  }));
  const fake = {
    objects: () => {
      calls.push('list');
      return Promise.resolve(traces);
    },
    delete: (_ns: string, name: string) => {
      calls.push(`delete ${name}`);
      return Promise.resolve();
    },
  };
  return { traces: fake as unknown as TraceStore, calls };
}

describe('TraceGc', () => {
  const limits = { attemptsPerTask: 2, perInstance: 100 };

  it('costs no request for an instance within bounds', async () => {
    const { traces, calls } = store(2);
    const instance = withTasks({ a: { phase: 'Succeeded', attempt: 2 } });
    const gc = new TraceGc({ traces, instance: () => instance, limits, log: silentLogger() });
    expect(gc.observe('ns/i', instance)).toBe(false);
    await gc.reconcile('ns/i', new AbortController().signal);
    expect(calls).toEqual([]);
  });

  it('lists and deletes once per new excess, not on every event', async () => {
    const { traces, calls } = store(3);
    let instance = withTasks({ a: { phase: 'Running', attempt: 3 } });
    const gc = new TraceGc({ traces, instance: () => instance, limits, log: silentLogger() });
    expect(gc.observe('ns/i', instance)).toBe(true);
    await gc.reconcile('ns/i', new AbortController().signal);
    expect(calls).toEqual(['list', 'delete a-1']);
    // Another event with the same attempts: nothing new to collect.
    expect(gc.observe('ns/i', instance)).toBe(false);
    await gc.reconcile('ns/i', new AbortController().signal);
    expect(calls).toHaveLength(2);
    // The instance finishes: one last look.
    instance = { ...instance, status: { ...instance.status, phase: 'Succeeded' } };
    expect(gc.observe('ns/i', instance)).toBe(true);
  });
});
