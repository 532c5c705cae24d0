import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import type { Assignment } from './decide.ts';
import { holdNewTasks } from './status-budget.ts';

const scheduled = (worker = 'w'): TaskStatus => ({
  phase: 'Scheduled',
  worker,
  attempt: 1,
  scheduledAt: '2026-05-01T10:00:00.000Z',
});

function decided(n: number, before: Record<string, TaskStatus> = {}) {
  const tasks: Record<string, TaskStatus> = { ...before };
  const assigned: Assignment[] = [];
  for (let i = 0; i < n; i++) {
    tasks[`new-${i}`] = scheduled();
    assigned.push({ task: `new-${i}`, worker: 'w', attempt: 1 });
  }
  return { status: { phase: 'Running', tasks } as DagInstanceStatus, assigned };
}

const bytes = (s: DagInstanceStatus): number => Buffer.byteLength(JSON.stringify(s));

describe('holdNewTasks', () => {
  it('keeps every assignment while the status stays under 75 % of the bound', () => {
    const d = decided(10);
    const held = holdNewTasks(d.status, {}, d.assigned, 256 * 1024);
    expect(held).toEqual({ status: d.status, assigned: d.assigned, held: 0 });
  });

  it('takes back the newest new tasks past 75 % of the bound: they stay Pending, absent', () => {
    const d = decided(1000);
    const held = holdNewTasks(d.status, {}, d.assigned, 64 * 1024);
    expect(bytes(held.status)).toBeLessThanOrEqual(48 * 1024);
    expect(held.held).toBeGreaterThan(0);
    expect(held.assigned).toHaveLength(1000 - held.held);
    expect(held.status.tasks?.['new-0']).toBeDefined();
    expect(held.status.tasks?.['new-999']).toBeUndefined();
  });

  it('counts the rest of the object, and each new entry once (the map is atomic for managedFields)', () => {
    const d = decided(4000);
    const alone = holdNewTasks(d.status, {}, d.assigned, 256 * 1024);
    const beside = holdNewTasks(d.status, {}, d.assigned, 256 * 1024, 64 * 1024);
    expect(bytes(alone.status)).toBeLessThanOrEqual(192 * 1024);
    expect(bytes(alone.status)).toBeGreaterThan(180 * 1024);
    expect(bytes(beside.status)).toBeLessThanOrEqual(128 * 1024);
    expect(beside.held).toBeGreaterThan(alone.held);
  });

  it('never holds a retry or a reassignment, and puts back a waiting entry as it was', () => {
    const waiting: TaskStatus = { phase: 'Pending', reason: 'NoWorkerForAction', message: 'm' };
    const retried: TaskStatus = { phase: 'Retrying', attempt: 1 };
    const d = decided(0, { big: { phase: 'Failed', message: 'x'.repeat(4000) } });
    d.status.tasks = { ...d.status.tasks, wait: scheduled(), again: scheduled() };
    const assigned = [
      { task: 'wait', worker: 'w', attempt: 1 },
      { task: 'again', worker: 'w', attempt: 2 },
      ...d.assigned,
    ];
    const held = holdNewTasks(d.status, { wait: waiting, again: retried }, assigned, 1000);
    expect(held.assigned.map((a) => a.task)).toEqual(['again']);
    expect(held.status.tasks?.['wait']).toEqual(waiting);
  });

  it('keeps one new task when none holds a worker, so an instance never waits on itself', () => {
    const d = decided(3, { big: { phase: 'Failed', message: 'x'.repeat(4000) } });
    const held = holdNewTasks(d.status, {}, d.assigned, 1000);
    expect(held.assigned.map((a) => a.task)).toEqual(['new-0']);
    expect(held.held).toBe(2);
  });
});
