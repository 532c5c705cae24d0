import { describe, expect, it } from 'vitest';
import type { Condition } from '../api/common.ts';
import { findCondition, setCondition } from './conditions.ts';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const t1 = new Date('2026-01-01T00:05:00.000Z');

const ready: Condition = {
  type: 'Ready',
  status: 'True',
  reason: 'Ok',
  message: 'fine',
  lastTransitionTime: t0.toISOString(),
};

describe('setCondition', () => {
  it('adds a missing condition with now as its transition time', () => {
    expect(
      setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Ok', message: 'fine' }, t0),
    ).toEqual([ready]);
  });

  it.each([
    { name: 'same status, same everything', change: {}, moves: false },
    {
      name: 'same status, new reason and message',
      change: { reason: 'Other', message: 'new' },
      moves: false,
    },
    {
      name: 'same status, new observedGeneration',
      change: { observedGeneration: 7 },
      moves: false,
    },
    { name: 'status flips to False', change: { status: 'False' as const }, moves: true },
    { name: 'status flips to Unknown', change: { status: 'Unknown' as const }, moves: true },
  ])('lastTransitionTime: $name', ({ change, moves }) => {
    const { lastTransitionTime: _, ...base } = ready;
    const next = setCondition([ready], { ...base, ...change }, t1);
    expect(next).toEqual([
      { ...ready, ...change, lastTransitionTime: (moves ? t1 : t0).toISOString() },
    ]);
  });

  it('touches only the condition of the given type and keeps the list order', () => {
    const other: Condition = { ...ready, type: 'Other', status: 'False' };
    const list = [other, ready];
    const next = setCondition(
      list,
      { type: 'Ready', status: 'False', reason: 'Down', message: 'x' },
      t1,
    );
    expect(next[0]).toBe(other);
    expect(next[1]).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Down',
      message: 'x',
      lastTransitionTime: t1.toISOString(),
    });
    expect(list).toEqual([other, ready]);
  });

  it('is idempotent: applying the same input twice gives the same list', () => {
    const input = { type: 'Ready', status: 'True' as const, reason: 'Ok', message: 'fine' };
    const once = setCondition([], input, t0);
    expect(setCondition(once, input, t1)).toEqual(once);
  });
});

describe('findCondition', () => {
  it.each([
    { list: undefined, type: 'Ready', found: undefined },
    { list: [], type: 'Ready', found: undefined },
    { list: [ready], type: 'Ready', found: ready },
    { list: [ready], type: 'Other', found: undefined },
  ])('$type in $list', ({ list, type, found }) => {
    expect(findCondition(list, type)).toBe(found);
  });
});
