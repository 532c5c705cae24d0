import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../api/dag-instance.ts';
import { outputsToRead, placeValues, referencedEntries, refFields } from './attempt-values.ts';
import { templateReferences } from './templates.ts';

const bounds = { inlineBytes: 1024, maxBytes: 8192 };
/** A JSON string value of exactly `bytes` bytes of JSON (two of them are its quotes). */
const ofBytes = (bytes: number): string => 'x'.repeat(bytes - 2);

describe('placeValues', () => {
  it('keeps values up to the inline bound inline, and stores larger ones as JSON text', () => {
    const placed = placeValues({ output: ofBytes(1024), params: { big: ofBytes(2000) } }, bounds);
    expect(placed.inline).toEqual({ output: ofBytes(1024) });
    expect(Object.keys(placed.stored)).toEqual(['params']);
    expect(JSON.parse(placed.stored.params ?? '')).toEqual({ big: ofBytes(2000) });
  });

  it('stores a value one byte over the inline bound, and counts bytes, not characters', () => {
    expect(placeValues({ output: ofBytes(1025) }, bounds).stored.output).toBeDefined();
    // 400 three-byte characters: 400 characters, 1,202 bytes of JSON.
    expect(placeValues({ output: '€'.repeat(400) }, bounds).stored.output).toBeDefined();
  });

  it('does not record params beyond the largest value, but never drops an output', () => {
    const placed = placeValues({ output: ofBytes(9000), params: ofBytes(9000) }, bounds);
    expect(placed.stored.params).toBeUndefined();
    expect(placed.inline.params).toBeUndefined();
    expect(placed.stored.output).toBe(JSON.stringify(ofBytes(9000)));
  });

  it('leaves out what is absent or not JSON-representable', () => {
    expect(placeValues({ output: undefined, params: () => 1 }, bounds)).toEqual({
      inline: {},
      stored: {},
    });
  });
});

describe('refFields', () => {
  it('names the data object for each stored value only', () => {
    expect(refFields('i-dabc-1', { output: '"x"' })).toEqual({ outputRef: 'i-dabc-1' });
    expect(refFields('i-dabc-1', { output: '1', params: '{}' })).toEqual({
      outputRef: 'i-dabc-1',
      paramsRef: 'i-dabc-1',
    });
    expect(refFields('i-dabc-1', {})).toEqual({});
  });
});

describe('outputsToRead', () => {
  const tasks: Record<string, TaskStatus> = {
    small: { phase: 'Succeeded', output: { a: 1 } },
    large: { phase: 'Succeeded', outputRef: 'i-d1-1' },
    unread: { phase: 'Succeeded', outputRef: 'i-d2-1' },
    none: { phase: 'Succeeded' },
  };

  it('takes inline outputs from status and names the objects of referenced ones a template reads', () => {
    const refs = templateReferences({
      a: '{{tasks.small.output.a}}',
      b: '{{tasks.large.output.items.0}}',
      c: 'again {{tasks.large.output.name}}',
      d: '{{tasks.none.output}}',
      e: '{{tasks.missing.output}}',
      f: '{{.shareData.k}}',
    });
    const read = outputsToRead(refs, tasks);
    expect(read.inline).toEqual({ small: { a: 1 } });
    expect([...read.byRef]).toEqual([['large', 'i-d1-1']]);
  });

  it('reads nothing for params without output references', () => {
    const read = outputsToRead(templateReferences({ a: 'plain', b: '{{v}}' }), tasks);
    expect(read).toEqual({ inline: {}, byRef: new Map() });
  });
});

describe('referencedEntries', () => {
  const status: Record<string, TaskStatus> = {
    a: { phase: 'Succeeded', output: 'from status' },
    other: { phase: 'Succeeded', output: 'not read' },
  };
  const sharded: Record<string, TaskStatus> = {
    a: { phase: 'Succeeded', output: 'older, in a shard' },
    b: { phase: 'Succeeded', outputRef: 'inst-b-1' },
  };

  it('keeps only the read tasks, status before shards, and leaves out unknown ones', () => {
    expect(referencedEntries(['a', 'b', 'missing'], status, sharded)).toEqual({
      a: { phase: 'Succeeded', output: 'from status' },
      b: { phase: 'Succeeded', outputRef: 'inst-b-1' },
    });
  });

  it('reads shards alone when status has no tasks, and never inherited keys', () => {
    expect(referencedEntries(['b', 'toString'], undefined, sharded)).toEqual({
      b: { phase: 'Succeeded', outputRef: 'inst-b-1' },
    });
  });
});
