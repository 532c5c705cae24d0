import { describe, expect, it } from 'vitest';
import { DagInstance } from '../api/objects.ts';
import { LAST_APPLIED_ANNOTATION, serializedBytes, trimForCache } from './cache-trim.ts';
import type { KubeObject } from './types.ts';

const managedFields = [
  {
    manager: 'fastflow',
    operation: 'Update',
    subresource: 'status',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:status': { '.': {}, 'f:phase': {}, 'f:tasks': { 'f:first': { '.': {} } } } },
  },
];

/** A DagInstance as the API server sends it: managedFields, and kubectl's last-applied copy. */
function served(): Record<string, unknown> {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: {
      name: 'run-1',
      namespace: 'team-a',
      resourceVersion: '7',
      annotations: {
        [LAST_APPLIED_ANNOTATION]: '{"spec":{"dagRef":{"name":"chain"}}}',
        'fastflow.io/retry': 'r1',
      },
      managedFields,
    },
    spec: { dagRef: { name: 'chain' } },
    status: { phase: 'Running', tasks: { first: { phase: 'Running', attempt: 1 } } },
  };
}

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));
const asIs = (raw: unknown): KubeObject => raw as KubeObject;

describe('trimForCache', () => {
  it('leaves out managedFields and the last-applied annotation, and keeps what fastflow reads', () => {
    const obj = trimForCache(served(), (raw) => DagInstance.parse(raw));
    expect(obj.metadata).not.toHaveProperty('managedFields');
    expect(obj.metadata.annotations).toEqual({ 'fastflow.io/retry': 'r1' });
    expect(obj.metadata.resourceVersion).toBe('7');
    expect(obj.status?.tasks?.['first']?.phase).toBe('Running');
  });

  it('counts what it left out: serializedBytes is the size of the object as served', () => {
    const raw = served();
    const whole = bytes(raw);
    const obj = trimForCache(raw, (r) => DagInstance.parse(r));
    expect(bytes(obj)).toBeLessThan(whole);
    expect(serializedBytes(obj)).toBe(whole);
    // A copy with another status (how the operator sizes what it is about to write) keeps the count.
    const next = { ...obj, status: {} };
    expect(serializedBytes(next)).toBe(bytes({ ...served(), status: {} }));
  });

  it('works without a parse, and on objects that have nothing to leave out', () => {
    const plain = { metadata: { name: 'a', namespace: 'ns', annotations: { x: 'y' } }, data: 1 };
    const obj = trimForCache(structuredClone(plain), asIs);
    expect(obj).toEqual(plain);
    expect(serializedBytes(obj)).toBe(bytes(plain));
    expect(trimForCache('not an object', (r) => ({ metadata: { name: String(r) } }))).toEqual({
      metadata: { name: 'not an object' },
    });
  });

  it('counts an object it never trimmed as it is (a fresh GET, a write response)', () => {
    const raw = served();
    expect(serializedBytes(DagInstance.parse(raw))).toBe(bytes(raw));
  });

  it('lets what parse throws through (the informer logs it and leaves the object out)', () => {
    expect(() =>
      trimForCache(served(), () => {
        throw new Error('bad');
      }),
    ).toThrow('bad');
  });
});
