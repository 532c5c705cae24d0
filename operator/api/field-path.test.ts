import { describe, expect, it } from 'vitest';
import { appendPath, formatPath, parsePath } from './field-path.ts';

describe('formatPath', () => {
  it('writes indexes in brackets and plain keys after dots, as kubectl does', () => {
    expect(formatPath(['spec', 'tasks', 1, 'id'])).toBe('spec.tasks[1].id');
    expect(formatPath(['tasks', 1, 'dependOn', 0])).toBe('tasks[1].dependOn[0]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });

  it('quotes keys that are not identifiers', () => {
    expect(formatPath(['spec', 'tasks', 2, 'params', 'a.b'])).toBe('spec.tasks[2].params["a.b"]');
    expect(formatPath(['vars', 'a b', 'desc'])).toBe('vars["a b"].desc');
    expect(formatPath(['vars', '1st'])).toBe('vars["1st"]');
    expect(formatPath(['labels', 'x"y'])).toBe('labels["x\\"y"]');
  });

  it('extends a formatted path one segment at a time', () => {
    expect(appendPath('params', 'target')).toBe('params.target');
    expect(appendPath('params.list', 0)).toBe('params.list[0]');
    expect(appendPath('', 'spec')).toBe('spec');
  });
});

describe('parsePath', () => {
  it('is the inverse of formatPath', () => {
    for (const path of [
      ['spec', 'tasks', 2, 'params', 'a.b'],
      ['spec', 'tasks', 0, 'dependOn', 1],
      ['vars', 'a b', 'desc'],
      ['labels', 'x"y'],
    ]) {
      expect(parsePath(formatPath(path))).toEqual(path);
    }
  });
});
