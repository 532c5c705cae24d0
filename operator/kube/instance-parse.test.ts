import { describe, expect, it } from 'vitest';
import { DagInstance } from '../api/objects.ts';
import { parseInstance, sameJson } from './instance-parse.ts';

/** An instance as a watch event brings it (a fresh JSON object each time), with `tasks`. */
function served(tasks: Record<string, unknown>): Record<string, unknown> {
  return structuredClone({
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'DagInstance',
    metadata: { name: 'wide-1', namespace: 'team-a', resourceVersion: '7' },
    spec: { dagRef: { name: 'wide' } },
    status: { phase: 'Running', tasks },
  });
}

const done = (worker: string) => ({ phase: 'Succeeded', worker, attempt: 1 });
const wave = { root: done('w1'), a: done('w1'), b: { phase: 'Running', worker: 'w2', attempt: 1 } };

describe('parseInstance', () => {
  it('returns what a full parse returns, after entries change, come, go and carry unknown keys', () => {
    const first = parseInstance(served(wave), undefined);
    const next = served({
      b: { ...done('w2'), unknownField: 'stripped' },
      root: wave.root,
      c: { phase: 'Running', worker: 'w1', attempt: 2 },
    });
    const parsed = parseInstance(structuredClone(next), first);
    expect(parsed).toEqual(DagInstance.parse(next));
    expect(Object.keys(parsed.status?.tasks ?? {})).toEqual(['b', 'root', 'c']);
  });

  it('keeps the unchanged entries of the previous parse, and parses the changed ones', () => {
    const first = parseInstance(served(wave), undefined);
    const next = parseInstance(served({ ...wave, b: done('w2') }), first);
    expect(next.status?.tasks?.['root']).toBe(first.status?.tasks?.['root']);
    expect(next.status?.tasks?.['a']).toBe(first.status?.tasks?.['a']);
    expect(next.status?.tasks?.['b']).toEqual(done('w2'));
  });

  it('parses in full from a previous object it did not build', () => {
    const elsewhere = DagInstance.parse(served(wave));
    const next = parseInstance(served(wave), elsewhere);
    expect(next).toEqual(elsewhere);
    expect(next.status?.tasks?.['root']).not.toBe(elsewhere.status?.tasks?.['root']);
  });

  it('rejects an invalid changed entry as a full parse does, whatever the previous', () => {
    const first = parseInstance(served(wave), undefined);
    const bad = served({ ...wave, b: { phase: 'Sleeping' } });
    expect(() => parseInstance(bad, first)).toThrow(/phase/);
    expect(() => parseInstance(served({ ...wave, c: { attempt: 0 } }), first)).toThrow();
  });

  it('parses a task map with a __proto__ key in full', () => {
    const first = parseInstance(served(wave), undefined);
    const raw = served({});
    const tasks = JSON.parse('{"__proto__": {"phase": "Running"}, "root": {"phase": "Running"}}');
    (raw['status'] as Record<string, unknown>)['tasks'] = tasks;
    expect(parseInstance(structuredClone(raw), first)).toEqual(DagInstance.parse(raw));
  });

  it('parses an instance without tasks, and one whose tasks are not a map, as a full parse does', () => {
    const first = parseInstance(served(wave), undefined);
    const none = served({});
    delete (none['status'] as Record<string, unknown>)['tasks'];
    expect(parseInstance(none, first)).toEqual(DagInstance.parse(none));
    const list = served({});
    (list['status'] as Record<string, unknown>)['tasks'] = [done('w1')];
    expect(() => parseInstance(list, first)).toThrow();
  });
});

describe('sameJson', () => {
  it('compares JSON values deeply, key order aside', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson(null, {})).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });
});
