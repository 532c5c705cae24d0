import { describe, expect, it } from 'vitest';
import { OPERATION_ANNOTATIONS, workerLabel } from '../api/names.ts';
import type { DagInstance } from '../api/objects.ts';
import {
  dagLifecycleOf,
  finishedInstanceOf,
  planInstanceGc,
  type FinishedInstance,
} from './instance-gc.ts';

const now = new Date('2026-01-01T00:10:00Z');
const at = (secondsAgo: number): number => now.getTime() - secondsAgo * 1000;
const done = (key: string, secondsAgo: number, more: Partial<FinishedInstance> = {}) => ({
  key,
  phase: 'Succeeded' as const,
  finishedAt: at(secondsAgo),
  ...more,
});
const keys = (plan: ReturnType<typeof planInstanceGc>): string[] =>
  plan.delete.map((d) => d.key).sort();

describe('planInstanceGc: ttlSecondsAfterFinished', () => {
  it('keeps everything when nothing sets a TTL or a limit (operator default 0)', () => {
    expect(planInstanceGc([done('a', 1000)], {}, 0, now)).toEqual({ delete: [] });
  });

  it('takes the instance value first, then the Dag value, then the operator default', () => {
    const instances = [
      done('own', 30, { ttlSecondsAfterFinished: 20 }),
      done('own-long', 30, { ttlSecondsAfterFinished: 3600 }),
      done('dag', 30),
    ];
    expect(keys(planInstanceGc(instances, { ttlSecondsAfterFinished: 10 }, 0, now))).toEqual([
      'dag',
      'own',
    ]);
    expect(keys(planInstanceGc(instances, {}, 10, now))).toEqual(['dag', 'own']);
    expect(keys(planInstanceGc(instances, {}, 0, now))).toEqual(['own']);
    // 0 on the Dag or the instance means at once, whatever the operator says.
    expect(keys(planInstanceGc([done('now', 0)], { ttlSecondsAfterFinished: 0 }, 0, now))).toEqual([
      'now',
    ]);
  });

  it('wakes when the next TTL runs out, and deletes exactly at it', () => {
    const instances = [done('a', 5, { ttlSecondsAfterFinished: 60 }), done('b', 5)];
    const plan = planInstanceGc(instances, { ttlSecondsAfterFinished: 30 }, 0, now);
    expect(plan).toEqual({ delete: [], wakeAt: new Date(at(-25)) });
    const later = planInstanceGc(instances, { ttlSecondsAfterFinished: 30 }, 0, plan.wakeAt!);
    expect(later.delete).toEqual([{ key: 'b', reason: 'TTLExpired' }]);
    expect(later.wakeAt).toEqual(new Date(at(-55)));
  });
});

describe('planInstanceGc: history limits', () => {
  it('keeps the newest of each kind and deletes the oldest first', () => {
    const instances = [
      done('s1', 40),
      done('s2', 30),
      done('s3', 20),
      done('f1', 35, { phase: 'Failed' }),
      done('c1', 25, { phase: 'Canceled' }),
      done('f2', 15, { phase: 'Failed' }),
    ];
    const plan = planInstanceGc(
      instances,
      { successfulInstancesHistoryLimit: 2, failedInstancesHistoryLimit: 1 },
      0,
      now,
    );
    expect(plan.delete).toEqual(
      expect.arrayContaining([
        { key: 's1', reason: 'HistoryLimit' },
        { key: 'f1', reason: 'HistoryLimit' },
        { key: 'c1', reason: 'HistoryLimit' },
      ]),
    );
    expect(plan.delete).toHaveLength(3);
  });

  it('keeps none with a limit of 0, all without one; the TTL reason wins', () => {
    const instances = [done('s1', 40, { ttlSecondsAfterFinished: 1 }), done('s2', 10)];
    expect(
      planInstanceGc(instances, { successfulInstancesHistoryLimit: 0 }, 0, now).delete,
    ).toEqual([
      { key: 's1', reason: 'TTLExpired' },
      { key: 's2', reason: 'HistoryLimit' },
    ]);
    expect(planInstanceGc(instances, { failedInstancesHistoryLimit: 0 }, 0, now).delete).toEqual([
      { key: 's1', reason: 'TTLExpired' },
    ]);
  });

  it('chooses the same instances whatever their order, ties broken by key', () => {
    const instances = [done('b', 10), done('a', 10), done('c', 10)];
    const plan = (list: FinishedInstance[]) =>
      keys(planInstanceGc(list, { successfulInstancesHistoryLimit: 1 }, 0, now));
    expect(plan(instances)).toEqual(['b', 'c']);
    expect(plan([...instances].reverse())).toEqual(['b', 'c']);
  });
});

describe('finishedInstanceOf and dagLifecycleOf', () => {
  const instance = (
    status: DagInstance['status'],
    more: Partial<DagInstance> = {},
  ): DagInstance => ({
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name: 'r', namespace: 'ns', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { dagRef: { name: 'd' }, ttlSecondsAfterFinished: 5 },
    status,
    ...more,
  });

  it('leaves a subDag child to go with its parent', () => {
    const finishTime = '2026-01-01T00:01:00.000Z';
    const owner = { apiVersion: 'fastflow.io/v1alpha1', kind: 'DagInstance', name: 'p', uid: 'u' };
    const child = instance({ phase: 'Succeeded', finishTime });
    child.metadata = { ...child.metadata, ownerReferences: [owner] };
    expect(finishedInstanceOf('ns/r', child)).toBeUndefined();
  });

  it('sees a finished instance with its finish time and TTL', () => {
    const finishTime = '2026-01-01T00:01:00.000Z';
    expect(finishedInstanceOf('ns/r', instance({ phase: 'Failed', finishTime }))).toEqual({
      key: 'ns/r',
      phase: 'Failed',
      finishedAt: Date.parse(finishTime),
      ttlSecondsAfterFinished: 5,
    });
  });

  it('does not see a running instance, nor a finished one the operator is not done with', () => {
    expect(finishedInstanceOf('ns/r', instance({ phase: 'Running' }))).toBeUndefined();
    const reopened = instance(
      { phase: 'Failed', finishTime: '2026-01-01T00:01:00.000Z' },
      {
        metadata: {
          name: 'r',
          annotations: { [OPERATION_ANNOTATIONS.retry]: '1' },
        },
      },
    );
    expect(finishedInstanceOf('ns/r', reopened)).toBeUndefined();
    // Still labelled for a worker: the instance reconciler has a last write to make.
    const labelled = instance(
      { phase: 'Succeeded', finishTime: '2026-01-01T00:01:00.000Z' },
      { metadata: { name: 'r', labels: { [workerLabel('w-1')]: '' } } },
    );
    expect(finishedInstanceOf('ns/r', labelled)).toBeUndefined();
  });

  it('reads the lifecycle fields of a raw Dag spec, and none from a bad one', () => {
    expect(dagLifecycleOf({ tasks: [], failedInstancesHistoryLimit: 2 })).toEqual({
      failedInstancesHistoryLimit: 2,
    });
    expect(dagLifecycleOf({ ttlSecondsAfterFinished: -1 })).toEqual({});
    expect(dagLifecycleOf(undefined)).toEqual({});
  });
});
