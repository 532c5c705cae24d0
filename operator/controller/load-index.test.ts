import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskPhase } from '../api/dag-instance.ts';
import { LoadIndex } from './load-index.ts';

function status(tasks: Array<[phase: TaskPhase, worker?: string]>): DagInstanceStatus {
  return {
    tasks: Object.fromEntries(
      tasks.map(([phase, worker], i) => [
        `t${i}`,
        { phase, ...(worker ? { worker, attempt: 1 } : {}) },
      ]),
    ),
  };
}

describe('LoadIndex', () => {
  it('counts Scheduled and Running tasks per worker across instances', () => {
    const index = new LoadIndex();
    index.update(
      'ns/i1',
      status([
        ['Scheduled', 'w1'],
        ['Running', 'w1'],
        ['Running', 'w2'],
        ['Succeeded', 'w1'],
        ['Failed', 'w2'],
        ['Pending'],
      ]),
    );
    index.update('ns/i2', status([['Scheduled', 'w1']]));
    expect(index.load('w1')).toBe(3);
    expect(index.load('w2')).toBe(1);
    expect(index.load('w3')).toBe(0);
    expect(index.instancesOf('w1').sort()).toEqual(['ns/i1', 'ns/i2']);
    expect(index.instancesOf('w2')).toEqual(['ns/i1']);
    expect(index.instancesOf('w3')).toEqual([]);
  });

  it('replaces an instance on update instead of adding to it', () => {
    const index = new LoadIndex();
    index.update(
      'ns/i1',
      status([
        ['Scheduled', 'w1'],
        ['Scheduled', 'w1'],
      ]),
    );
    index.update(
      'ns/i1',
      status([
        ['Running', 'w1'],
        ['Scheduled', 'w1'],
      ]),
    );
    expect(index.load('w1')).toBe(2);
    index.update(
      'ns/i1',
      status([
        ['Succeeded', 'w1'],
        ['Running', 'w2'],
      ]),
    );
    expect(index.load('w1')).toBe(0);
    expect(index.instancesOf('w1')).toEqual([]);
    expect(index.load('w2')).toBe(1);
    expect(index.instancesOf('w2')).toEqual(['ns/i1']);
  });

  it('weighs steps waiting behind their parent against no slot, though the worker still holds them', () => {
    const index = new LoadIndex();
    const waiting = { phase: 'Scheduled' as const, worker: 'w1', attempt: 1, after: 'a@1' };
    index.update('ns/i1', {
      tasks: { a: { phase: 'Running', worker: 'w1', attempt: 1 }, b: waiting, c: waiting },
    });
    expect(index.load('w1')).toBe(3);
    expect(index.slotsTaken('w1')).toBe(1);
    // Its parent succeeded: the step runs now, in a slot.
    index.update('ns/i1', {
      tasks: { b: { phase: 'Running', worker: 'w1', attempt: 1 }, c: waiting },
    });
    expect([index.load('w1'), index.slotsTaken('w1')]).toEqual([2, 1]);
    index.update('ns/i1', undefined);
    expect([index.load('w1'), index.slotsTaken('w1')]).toEqual([0, 0]);
    expect(index.instancesOf('w1')).toEqual([]);
  });

  it('a task moved to another worker moves its load', () => {
    const index = new LoadIndex();
    index.update('ns/i1', status([['Running', 'w1']]));
    index.update('ns/i2', status([['Running', 'w1']]));
    index.update('ns/i1', status([['Scheduled', 'w2']]));
    expect(index.load('w1')).toBe(1);
    expect(index.instancesOf('w1')).toEqual(['ns/i2']);
    expect(index.load('w2')).toBe(1);
  });

  it('a deleted instance (no status) drops out', () => {
    const index = new LoadIndex();
    index.update(
      'ns/i1',
      status([
        ['Running', 'w1'],
        ['Scheduled', 'w2'],
      ]),
    );
    index.update('ns/i2', status([['Running', 'w1']]));
    index.update('ns/i1', undefined);
    expect(index.load('w1')).toBe(1);
    expect(index.load('w2')).toBe(0);
    expect(index.instancesOf('w1')).toEqual(['ns/i2']);
    expect(index.instancesOf('w2')).toEqual([]);
    index.update('ns/i2', undefined);
    index.update('ns/never-seen', undefined);
    expect(index.load('w1')).toBe(0);
    expect(index.instancesOf('w1')).toEqual([]);
  });

  it('ignores active entries without a worker and statuses without tasks', () => {
    const index = new LoadIndex();
    index.update('ns/i1', status([['Scheduled']]));
    index.update('ns/i2', {});
    expect(index.instancesOf('')).toEqual([]);
    expect(index.load('')).toBe(0);
  });

  it('counts what a pass assigned before its write comes back, until the status shows it', () => {
    const index = new LoadIndex();
    const decided: DagInstanceStatus = {
      tasks: {
        a: { phase: 'Scheduled', worker: 'w1', attempt: 1 },
        b: { phase: 'Scheduled', worker: 'w1', attempt: 1, after: 'a@1' },
        c: { phase: 'Pending' },
      },
    };
    const assigned = [
      { task: 'a', worker: 'w1', attempt: 1 },
      // Pre-assigned behind a: no slot. Held back by the status bound (c stays Pending): not assigned.
      { task: 'b', worker: 'w1', attempt: 1 },
      { task: 'c', worker: 'w2', attempt: 1 },
    ];
    index.reserve('ns/i1', decided, assigned);
    expect(index.slotsTaken('w1')).toBe(1);
    expect(index.slotsTaken('w2')).toBe(0);
    // An older version of the instance does not show it yet: still reserved.
    index.update('ns/i1', { tasks: {} });
    expect(index.slotsTaken('w1')).toBe(1);
    // The written status shows it: counted from there, once.
    index.update('ns/i1', decided);
    expect(index.slotsTaken('w1')).toBe(1);
    expect(index.load('w1')).toBe(2);
    index.update('ns/i1', { tasks: { a: { phase: 'Succeeded', worker: 'w1', attempt: 1 } } });
    expect(index.slotsTaken('w1')).toBe(0);
    // A pass that assigns nothing, and a deleted instance, leave nothing reserved.
    index.reserve('ns/i2', decided, assigned);
    index.reserve('ns/i2', decided, []);
    expect(index.slotsTaken('w1')).toBe(0);
    index.reserve('ns/i3', decided, assigned);
    index.update('ns/i3', undefined);
    expect(index.slotsTaken('w1')).toBe(0);
  });
});
