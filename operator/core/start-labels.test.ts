import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { workerLabel } from '../api/names.ts';
import { labelsBeforeStart } from './start-labels.ts';

const instance = (status?: DagInstanceStatus, labels?: Record<string, string>): DagInstance => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: { name: 'run-1', namespace: 'ns', resourceVersion: '7', ...(labels ? { labels } : {}) },
  spec: { dagRef: { name: 'dag' } },
  ...(status ? { status } : {}),
});
const starting: DagInstanceStatus = {
  phase: 'Running',
  dagRevision: 'dag-0123456789',
  tasks: { a: { phase: 'Scheduled', worker: 'w1', attempt: 1 } },
};

describe('labelsBeforeStart', () => {
  it('adds the labels of the workers given the first tasks in the pass that starts the instance', () => {
    expect(labelsBeforeStart(instance(), starting, new Set(['w1']))).toEqual({
      labels: { [workerLabel('w1')]: '' },
      removes: false,
    });
  });

  it('also when the instance waited for a run slot before starting', () => {
    const waiting: DagInstanceStatus = { phase: 'Pending', message: 'waiting to start' };
    expect(labelsBeforeStart(instance(waiting), starting, new Set(['w1']))).toBeDefined();
  });

  it('labels nothing first once the instance has started: those labels follow the status write', () => {
    const running = instance(starting);
    const next: DagInstanceStatus = {
      ...starting,
      tasks: { ...starting.tasks, b: { phase: 'Scheduled', worker: 'w2', attempt: 1 } },
    };
    expect(labelsBeforeStart(running, next, new Set(['w1', 'w2']))).toBeUndefined();
  });

  it('labels nothing first when the pass does not start the instance (it failed or waits)', () => {
    const failed: DagInstanceStatus = { phase: 'Failed', message: 'Dag "dag" not found' };
    expect(labelsBeforeStart(instance(), failed, new Set())).toBeUndefined();
  });

  it('labels nothing first when nobody is assigned, or the labels are already there', () => {
    expect(labelsBeforeStart(instance(), starting, new Set())).toBeUndefined();
    const labelled = instance(undefined, { [workerLabel('w1')]: '' });
    expect(labelsBeforeStart(labelled, starting, new Set(['w1']))).toBeUndefined();
  });

  it('never removes a label ahead of the status that allows it', () => {
    const stale = instance(undefined, { [workerLabel('gone')]: '' });
    expect(labelsBeforeStart(stale, starting, new Set(['w1']))).toBeUndefined();
  });
});
