import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
import { givenVars, resolveVars, withSetVars } from './vars.ts';

const declared: DagSpec['vars'] = {
  fileName: { desc: 'the file name', defaultValue: 'file.txt' },
  filePath: { desc: 'the file path', defaultValue: '/tmp/' },
};

describe('resolveVars', () => {
  const cases: {
    name: string;
    declared: DagSpec['vars'];
    given: Record<string, string> | undefined;
    vars: Record<string, string>;
  }[] = [
    {
      name: 'defaults when nothing is given',
      declared,
      given: undefined,
      vars: { fileName: 'file.txt', filePath: '/tmp/' },
    },
    {
      name: 'an instance value overrides the default',
      declared,
      given: { fileName: 'other.txt' },
      vars: { fileName: 'other.txt', filePath: '/tmp/' },
    },
    {
      name: 'an empty string is a value, not "use the default"',
      declared,
      given: { fileName: '', filePath: '' },
      vars: { fileName: '', filePath: '' },
    },
    {
      name: 'a var without default takes the given value',
      declared: { target: { desc: 'no default' } },
      given: { target: 'prod' },
      vars: { target: 'prod' },
    },
    {
      name: 'an empty default is a default',
      declared: { flag: { defaultValue: '' } },
      given: {},
      vars: { flag: '' },
    },
    { name: 'no vars declared, none given', declared: undefined, given: undefined, vars: {} },
    { name: 'no vars declared, empty map given', declared: {}, given: {}, vars: {} },
  ];
  it.each(cases)('$name', ({ declared: decl, given, vars }) => {
    expect(resolveVars(decl, given)).toEqual({ ok: true, vars });
  });

  it('refuses an undeclared var, naming it and the declared ones', () => {
    const result = resolveVars(declared, { fileName: 'x', colour: 'red' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('"colour"');
    expect(result.message).not.toContain('"fileName"');
    expect(result.message).toContain('fileName, filePath');
    expect(result.message.startsWith('spec.vars')).toBe(true);
  });

  it('refuses vars when the Dag declares none', () => {
    const result = resolveVars(undefined, { a: '1', b: '2' });
    expect(result).toEqual({ ok: false, message: expect.stringContaining('"a", "b"') });
    expect(!result.ok && result.message).toContain('declared: none');
  });

  it('refuses a declared var with neither default nor value, naming it', () => {
    const result = resolveVars({ a: { desc: 'needed' }, b: { defaultValue: 'x' }, c: {} }, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('"a", "c"');
    expect(result.message).not.toContain('"b"');
  });

  it('does not treat Object.prototype names as declared', () => {
    const result = resolveVars(declared, { toString: 'x' });
    expect(result.ok).toBe(false);
  });

  it('does not mutate its inputs', () => {
    const given = { fileName: 'a' };
    const decl = structuredClone(declared);
    resolveVars(decl, given);
    expect(given).toEqual({ fileName: 'a' });
    expect(decl).toEqual(declared);
  });
});

describe('givenVars and withSetVars', () => {
  it('rerun vars override the spec; setVars values override both, once, for decide and the worker alike', () => {
    const given = givenVars({ vars: { a: 'spec', b: 'spec' } }, { rerunVars: { a: 'rerun' } });
    expect(given).toEqual({ a: 'rerun', b: 'spec' });
    expect(withSetVars(given, { vars: { a: 'set' } })).toEqual({ a: 'set', b: 'spec' });
    expect(withSetVars(given, undefined)).toEqual(given);
  });
});
