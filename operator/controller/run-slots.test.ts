import { describe, expect, it, vi } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { RunSlots } from './run-slots.ts';

function instance(
  name: string,
  opts: { created?: string; priority?: number; started?: boolean; phase?: 'Succeeded' } = {},
): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { namespace: 'ns', name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
    spec: {
      dagRef: { name: 'd' },
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    },
    status: {
      ...(opts.started ? { dagRevision: 'd-1' } : {}),
      ...(opts.phase ? { phase: opts.phase } : {}),
    },
  };
}

function seen(slots: RunSlots, ...instances: DagInstance[]): void {
  for (const i of instances) slots.update(`ns/${i.metadata.name}`, i);
}

describe('RunSlots', () => {
  it('admits in creation order up to the limit, reserving the slot before the start is seen', () => {
    const slots = new RunSlots();
    seen(
      slots,
      instance('c', { created: '2026-01-01T00:00:03Z' }),
      instance('a', { created: '2026-01-01T00:00:01Z' }),
      instance('b', { created: '2026-01-01T00:00:02Z' }),
    );
    expect(slots.waiting('ns/d')).toEqual(['ns/a', 'ns/b', 'ns/c']);
    // b is not first in line: it waits even though a slot is free.
    expect(slots.admit('ns/b', 1)).toEqual({ ok: false, running: 0, ahead: 1 });
    expect(slots.admit('ns/a', 1)).toEqual({ ok: true });
    expect(slots.admit('ns/b', 1)).toEqual({ ok: false, running: 1, ahead: 0 });
    // The informer still shows a not started (its write is in flight): the slot stays taken.
    seen(slots, instance('a', { created: '2026-01-01T00:00:01Z' }));
    expect(slots.running('ns/d')).toBe(1);
    expect(slots.startable('ns/d', 1)).toEqual([]);
    seen(slots, instance('a', { created: '2026-01-01T00:00:01Z', started: true }));
    expect(slots.admit('ns/a', 1)).toEqual({ ok: true });

    // a finishes: its Dag is named so that b, first in line, is looked at again.
    expect(slots.update('ns/a', instance('a', { phase: 'Succeeded', started: true }))).toBe('ns/d');
    expect(slots.startable('ns/d', 1)).toEqual(['ns/b']);
    expect(slots.admit('ns/b', 1)).toEqual({ ok: true });
    // A deleted running instance frees its slot too; a waiting one frees nothing.
    expect(slots.update('ns/c', undefined)).toBeUndefined();
    expect(slots.update('ns/b', undefined)).toBe('ns/d');
    expect(slots.running('ns/d')).toBe(0);
  });

  it('puts a higher priority first, and lets every waiting instance start without a limit', () => {
    const slots = new RunSlots();
    seen(slots, instance('a'), instance('b', { priority: 5 }), instance('c', { priority: -1 }));
    expect(slots.waiting('ns/d')).toEqual(['ns/b', 'ns/a', 'ns/c']);
    expect(slots.startable('ns/d', 2)).toEqual(['ns/b', 'ns/a']);
    expect(slots.startable('ns/d', undefined)).toEqual(['ns/b', 'ns/a', 'ns/c']);
  });

  it("admits from an index: one admission reads no other instance's entry, however many wait", () => {
    const slots = new RunSlots();
    const at = (i: number) =>
      `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`;
    for (let i = 0; i < 3000; i++) {
      seen(slots, instance(`i${i}`, { created: at(i), started: i < 1000 }));
    }
    const reads = [vi.spyOn(Map.prototype, 'get'), vi.spyOn(Set.prototype, 'has')];
    try {
      expect(slots.admit('ns/i1500', 1400)).toEqual({ ok: false, running: 1000, ahead: 500 });
      expect(slots.admit('ns/i1000', 1400)).toEqual({ ok: true });
      expect(slots.running('ns/d')).toBe(1001);
      expect(reads.reduce((n, r) => n + r.mock.calls.length, 0)).toBeLessThan(50);
    } finally {
      for (const r of reads) r.mockRestore();
    }
    expect(slots.waiting('ns/d')).toHaveLength(1999);
    expect(slots.startable('ns/d', 1003)).toEqual(['ns/i1001', 'ns/i1002']);
  });

  it('admits nothing the informer has not shown yet', () => {
    expect(new RunSlots().admit('ns/unseen', 5)).toEqual({ ok: false, running: 0, ahead: 0 });
  });
});
