import { describe, expect, it } from 'vitest';
import { renderVars } from './templates.ts';

const vars = { name: 'world', 'db.host': 'db-1', n: '3', empty: '' };

describe('renderVars', () => {
  it('replaces {{name}} in a string, with or without inner spaces, every time', () => {
    expect(renderVars('hello {{name}}', vars)).toBe('hello world');
    expect(renderVars('{{ name }}/{{name}}', vars)).toBe('world/world');
    expect(renderVars('{{db.host}}:{{n}}', vars)).toBe('db-1:3');
    expect(renderVars('[{{empty}}]', vars)).toBe('[]');
  });

  it('walks nested maps and lists, keeping keys as written', () => {
    const params = {
      url: 'http://{{db.host}}/x',
      nested: { list: ['{{name}}', { deep: '{{n}} items' }], '{{name}}': 'key kept' },
    };
    expect(renderVars(params, vars)).toEqual({
      url: 'http://db-1/x',
      nested: { list: ['world', { deep: '3 items' }], '{{name}}': 'key kept' },
    });
  });

  it('keeps references to unknown names as written', () => {
    expect(renderVars('{{missing}} and {{ name }}', vars)).toBe('{{missing}} and world');
    expect(renderVars('{{toString}} {{constructor}}', vars)).toBe('{{toString}} {{constructor}}');
  });

  it('leaves text that is not a reference alone', () => {
    expect(renderVars('{name} {{ }} {{1abc}} {{a b}}', vars)).toBe('{name} {{ }} {{1abc}} {{a b}}');
  });

  it('inserts values literally, even with $ patterns or braces in them', () => {
    expect(renderVars('{{v}}', { v: '$& $1 $$' })).toBe('$& $1 $$');
    // A value is not rendered again.
    expect(renderVars('{{v}}', { v: '{{name}}', name: 'x' })).toBe('{{name}}');
  });

  it('leaves non-string values untouched', () => {
    const params = { n: 1, yes: true, none: null, list: [2, false, null] };
    expect(renderVars(params, vars)).toEqual(params);
    expect(renderVars(42, vars)).toBe(42);
    expect(renderVars(null, vars)).toBeNull();
    expect(renderVars(undefined, vars)).toBeUndefined();
  });

  it('does not modify its input', () => {
    const params = { a: ['{{name}}'] };
    renderVars(params, vars);
    expect(params).toEqual({ a: ['{{name}}'] });
  });
});
