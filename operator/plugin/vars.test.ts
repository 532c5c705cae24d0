import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { checkVarsAgainstDag, collect, parseVars } from './vars.ts';

describe('parseVars', () => {
  it('splits at the first "=": the value may hold "=" or be empty', () => {
    expect(parseVars(['fileName=demo.txt', 'query=a=b', 'empty='])).toEqual({
      fileName: 'demo.txt',
      query: 'a=b',
      empty: '',
    });
    expect(parseVars([])).toEqual({});
  });

  it.each([
    ['fileName', '--var "fileName": expected KEY=VALUE, e.g. --var fileName=demo.txt'],
    ['=x', '--var "=x": expected KEY=VALUE, e.g. --var fileName=demo.txt'],
    ['9lives=1', '--var "9lives=1": "9lives" must start with a letter or "_"'],
  ])('refuses %j as a usage error', (flag, message) => {
    const run = (): unknown => parseVars([flag]);
    expect(run).toThrow(UsageError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
    }
  });

  it('refuses a key given twice', () => {
    expect(() => parseVars(['a=1', 'a=2'])).toThrow('--var a is given more than once');
  });

  it('collects a repeated flag', () => {
    expect(collect('b=2', collect('a=1'))).toEqual(['a=1', 'b=2']);
  });
});

describe('checkVarsAgainstDag', () => {
  const declared = { fileName: { defaultValue: 'file.txt' }, target: { desc: 'no default' } };

  it('accepts declared vars, and defaults for the others', () => {
    expect(checkVarsAgainstDag('d', declared, { target: 'x' })).toBeUndefined();
    expect(checkVarsAgainstDag('d', declared, { target: 'x', fileName: 'y' })).toBeUndefined();
  });

  it('names an undeclared var and lists the declared ones', () => {
    expect(checkVarsAgainstDag('d', declared, { whom: 'x', target: 'y' })).toBe(
      '--var whom: Dag "d" declares no such var (declared: fileName, target)',
    );
    expect(checkVarsAgainstDag('d', undefined, { a: '1' })).toBe(
      '--var a: Dag "d" declares no such var (declared: none)',
    );
  });

  it('names a var without default that was not given', () => {
    expect(checkVarsAgainstDag('d', declared, {})).toBe(
      'Dag "d" needs --var target=...: this var has no default',
    );
  });
});
