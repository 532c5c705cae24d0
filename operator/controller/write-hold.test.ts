import { describe, expect, it } from 'vitest';
import { at, graphOf, start, task } from '../../test/support/decide-fixtures.ts';
import { WriteHold } from './write-hold.ts';

const graph = graphOf([task('a')]);

describe('WriteHold', () => {
  it('holds a progress-only write until a second after the last write, and no other', () => {
    const hold = new WriteHold(16);
    const from = { ...start(), progress: '0/1' };
    const progress = { ...from, progress: '1/2' };
    // Nothing written by this process yet: write now.
    expect(hold.wait('ns/i', graph, from, progress, at(1))).toBe(0);
    hold.wrote('ns/i', at(1));
    expect(hold.wait('ns/i', graph, from, progress, at(1.25))).toBe(750);
    expect(hold.wait('ns/i', graph, from, progress, at(2))).toBe(0);
    expect(hold.wait('ns/i', graph, from, { ...from, phase: 'Failed' }, at(1.25))).toBe(0);
    hold.forget('ns/i');
    expect(hold.wait('ns/i', graph, from, progress, at(1.25))).toBe(0);
  });
});
