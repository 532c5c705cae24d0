import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { labelledWorkers, workerLabelChange } from './worker-labels.ts';

const task = (phase: TaskStatus['phase'], worker?: string): TaskStatus => ({
  phase,
  ...(worker ? { worker, attempt: 1 } : {}),
});

describe('labelledWorkers', () => {
  it('is the workers holding a Scheduled or Running task, not those whose tasks ended', () => {
    const status: DagInstanceStatus = {
      phase: 'Running',
      tasks: {
        a: task('Succeeded', 'w1'),
        b: task('Running', 'w2'),
        c: task('Scheduled', 'w3'),
        d: task('Failed', 'w4'),
        e: task('Pending'),
        f: task('Succeeded', 'w2'),
      },
    };
    expect(labelledWorkers(status)).toEqual(new Set(['w2', 'w3']));
  });

  it('is nobody once the instance has finished', () => {
    const status: DagInstanceStatus = { phase: 'Canceled', tasks: { a: task('Running', 'w1') } };
    expect(labelledWorkers(status)).toEqual(new Set());
  });
});

describe('workerLabelChange', () => {
  const labels = { 'w.fastflow.io/w1': '', 'w.fastflow.io/w2': '', team: 'x' };

  it('adds the labels of newly assigned workers without a precondition', () => {
    expect(workerLabelChange(labels, new Set(['w1', 'w2', 'w3']))).toEqual({
      labels: { 'w.fastflow.io/w3': '' },
      removes: false,
    });
  });

  it("removes a worker's label once it holds nothing, conditionally; other labels stay", () => {
    expect(workerLabelChange(labels, new Set(['w2', 'w3']))).toEqual({
      labels: { 'w.fastflow.io/w3': '', 'w.fastflow.io/w1': null },
      removes: true,
    });
    expect(workerLabelChange(labels, new Set())).toEqual({
      labels: { 'w.fastflow.io/w1': null, 'w.fastflow.io/w2': null },
      removes: true,
    });
  });

  it('changes nothing when the labels already match', () => {
    expect(workerLabelChange(labels, new Set(['w1', 'w2']))).toBeUndefined();
  });
});
