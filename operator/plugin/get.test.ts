import { describe, expect, it } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { makePaint } from './color.ts';
import { parse } from 'yaml';
import { UsageError } from './errors.ts';
import { formatObjects, instanceDetails, instanceTable, outputFormat, taskTable } from './get.ts';

const plain = makePaint(false);
const now = new Date('2025-01-01T00:05:00Z');

function instance(name: string, extra: Partial<DagInstance> = {}): DagInstance {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name, namespace: 'ns', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { dagRef: { name: 'test-dag' } },
    ...extra,
  };
}

describe('get', () => {
  it('lists instances like kubectl get dagi, by name', () => {
    const lines = instanceTable(
      [
        instance('test-dag-run-2', { status: { phase: 'Running', progress: '1/3' } }),
        instance('test-dag-run-1', {
          status: { phase: 'Succeeded', progress: '3/3', duration: '142ms' },
        }),
        instance('fresh'),
      ],
      now,
      plain,
    );
    expect(lines).toEqual([
      'NAME             DAG        PHASE       PROGRESS   AGE   DURATION',
      'fresh            test-dag                          5m',
      'test-dag-run-1   test-dag   Succeeded   3/3        5m    142ms',
      'test-dag-run-2   test-dag   Running     1/3        5m',
    ]);
  });

  it("shows one instance's fields and its tasks in the Dag's order", () => {
    const i = instance('run-1', {
      spec: { dagRef: { name: 'test-dag' }, vars: { fileName: 'demo.txt' } },
      status: {
        phase: 'Failed',
        progress: '1/2',
        dagRevision: 'test-dag-abc',
        startTime: '2025-01-01T00:00:01Z',
        finishTime: '2025-01-01T00:00:03Z',
        duration: '2.0s',
        message: 'task b failed: boom',
        tasks: {
          a: {
            phase: 'Succeeded',
            attempt: 1,
            worker: 'w-1',
            startedAt: '2025-01-01T00:00:01.000Z',
            finishedAt: '2025-01-01T00:00:01.250Z',
          },
          b: {
            phase: 'Failed',
            attempt: 3,
            worker: 'w-2',
            reason: 'ActionFailed',
            message: 'boom',
          },
        },
        operations: {
          retry: {
            value: 'x',
            result: 'Refused',
            message: 'retry: nothing',
            at: '2025-01-01T00:00:04Z',
          },
        },
      },
    });
    expect(instanceDetails(i, { order: ['a', 'b', 'c'], source: 'snapshot' }, now, plain)).toEqual([
      'Name:            run-1',
      'Namespace:       ns',
      'Dag:             test-dag (snapshot test-dag-abc)',
      'Vars:            fileName=demo.txt',
      'Created:         2025-01-01T00:00:00Z (5m ago)',
      'Phase:           Failed',
      'Progress:        1/2',
      'Message:         task b failed: boom',
      'Started:         2025-01-01T00:00:01Z (4m59s ago)',
      'Finished:        2025-01-01T00:00:03Z (4m57s ago)',
      'Duration:        2.0s',
      'Operation retry: Refused at 2025-01-01T00:00:04Z: retry: nothing',
      '',
      'TASK   PHASE       ATTEMPT   WORKER   DURATION   MESSAGE',
      'a      Succeeded   1         w-1      250ms',
      'b      Failed      3         w-2                 ActionFailed: boom',
      'c      Pending',
    ]);
  });

  it('says where the task list comes from when there is no snapshot', () => {
    const lines = instanceDetails(
      instance('x'),
      { problem: 'its Dag "test-dag" does not exist' },
      now,
      plain,
    );
    expect(lines).toContain('Phase:     Pending (not started yet)');
    expect(lines).toContain('Tasks listed from status only: its Dag "test-dag" does not exist.');
    expect(lines.at(-1)).toBe('TASK   PHASE   ATTEMPT   WORKER   DURATION   MESSAGE');
    expect(taskTable(undefined, { 'fan[1]': { phase: 'Running' } }, now, plain)).toEqual([
      'TASK     PHASE     ATTEMPT   WORKER   DURATION   MESSAGE',
      'fan[1]   Running',
    ]);
  });
});

describe('get -o', () => {
  it('takes json or yaml and refuses anything else with a usage error', () => {
    expect(outputFormat('json')).toBe('json');
    expect(outputFormat(undefined)).toBeUndefined();
    expect(() => outputFormat('wide')).toThrow(UsageError);
    expect(() => outputFormat('wide')).toThrow('--output must be json or yaml, not "wide"');
  });

  it('prints one instance as one object, several as a List, in json and yaml alike', () => {
    const one = instance('run-1', {
      status: { phase: 'Running', tasks: { a: { phase: 'Succeeded' } } },
    });
    expect(JSON.parse(formatObjects(one, 'json'))).toEqual(one);
    expect(parse(formatObjects(one, 'yaml'))).toEqual(one);
    const list = JSON.parse(formatObjects([one, instance('run-2')], 'json')) as {
      kind: string;
      items: unknown[];
    };
    expect(list.kind).toBe('List');
    expect(list.items).toEqual([one, instance('run-2')]);
  });
});
