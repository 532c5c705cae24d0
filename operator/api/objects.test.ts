import { describe, expect, it } from 'vitest';
import { Dag, DagInstance, describeZodError } from './objects.ts';

const dag = {
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'Dag',
  metadata: { name: 'test-dag', namespace: 'default', extra: 'kept' },
  spec: { tasks: [{ id: 'a', actionName: 'A' }] },
};

describe('Dag and DagInstance objects', () => {
  it('parse an object as the API server returns it, keeping unknown metadata', () => {
    expect(Dag.parse(dag).metadata).toEqual(dag.metadata);
    expect(
      DagInstance.safeParse({
        apiVersion: 'fastflow.io/v1alpha1',
        kind: 'DagInstance',
        metadata: { name: 'run-1' },
        spec: { dagRef: { name: 'test-dag' } },
      }).success,
    ).toBe(true);
  });

  it.each([
    { name: 'wrong kind', value: { ...dag, kind: 'DagInstance' }, path: ['kind'] },
    {
      name: 'wrong apiVersion',
      value: { ...dag, apiVersion: 'fastflow.io/v1' },
      path: ['apiVersion'],
    },
    { name: 'bad spec', value: { ...dag, spec: { tasks: [] } }, path: ['spec', 'tasks'] },
  ])('refuse $name', ({ value, path }) => {
    expect(Dag.safeParse(value).error?.issues[0]?.path).toEqual(path);
  });
});

describe('describeZodError', () => {
  it('names every problem with its field path under the root', () => {
    const error = Dag.safeParse({
      ...dag,
      spec: { tasks: [{ id: 'bad id', actionName: '' }] },
    }).error;
    expect(error).toBeDefined();
    const text = describeZodError(error!, 'dag');
    const parts = text.split('; ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^dag\.spec\.tasks\[0\]\.id: /);
    expect(parts[1]).toMatch(/^dag\.spec\.tasks\[0\]\.actionName: /);
  });

  it('without a root, and for an issue at the root itself', () => {
    const error = Dag.safeParse(5).error;
    expect(describeZodError(error!)).toBe('Invalid input: expected object, received number');
    const nested = Dag.safeParse({ ...dag, kind: 'x' }).error;
    expect(describeZodError(nested!)).toMatch(/^kind: /);
  });
});
