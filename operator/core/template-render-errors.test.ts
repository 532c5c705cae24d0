import { describe, expect, it } from 'vitest';
import { joinCapped } from './templates.ts';
import { renderError } from '../../test/support/template-render-fixtures.ts';

describe('renderParams: errors name the param path and the template', () => {
  it.each([
    [
      'unknown share-data key',
      { target: '{{.shareData.ipp}}' },
      'params.target: {{.shareData.ipp}}: share data has no key "ipp"',
    ],
    [
      'unknown share-data key through index',
      { a: { b: ['x', 'ip {{ index .shareData "nope" }}'] } },
      'params.a.b[1]: {{ index .shareData "nope" }}: share data has no key "nope"',
    ],
    [
      'undeclared var (only possible when the Dag was not validated)',
      { t: '{{missing}}' },
      'params.t: {{missing}}: var "missing" is not declared (declared: cluster, db.host, a-b, n, empty, dollar)',
    ],
    [
      'undeclared var, Go form',
      { t: '{{.vars.missing.Value}}' },
      'params.t: {{.vars.missing.Value}}: var "missing" is not declared (declared: cluster, db.host, a-b, n, empty, dollar)',
    ],
    [
      'upstream task without output',
      { t: '{{tasks.ghost.output}}' },
      'params.t: {{tasks.ghost.output}}: task "ghost" has no output',
    ],
    [
      'index past the end of a list',
      { t: '{{tasks.fetch.output.items.5.name}}' },
      'params.t: {{tasks.fetch.output.items.5.name}}: the output of task "fetch" has no items.5 (items is a list of 2)',
    ],
    [
      'key of a list',
      { t: '{{tasks.list.output.first}}' },
      'params.t: {{tasks.list.output.first}}: the output of task "list" has no first (the output is a list of 3)',
    ],
    [
      'missing key',
      { t: '{{tasks.fetch.output.items.0.nme}}' },
      'params.t: {{tasks.fetch.output.items.0.nme}}: the output of task "fetch" has no items.0.nme (items.0 has keys "name", "tags")',
    ],
    [
      'into a scalar',
      { t: '{{tasks.fetch.output.count.x}}' },
      'params.t: {{tasks.fetch.output.count.x}}: the output of task "fetch" has no count.x (count is a number)',
    ],
    [
      'into null',
      { t: '{{tasks.nil.output.x}}' },
      'params.t: {{tasks.nil.output.x}}: the output of task "nil" has no x (the output is null)',
    ],
    [
      'a key that needs quoting is shown quoted',
      { t: '{{tasks.fetch.output["a b"]}}' },
      'params.t: {{tasks.fetch.output["a b"]}}: the output of task "fetch" has no ["a b"] (the output has keys "0", "items", "count", "ok", "none", "app.kubernetes.io/name")',
    ],
    [
      'inherited properties are not keys',
      { t: '{{tasks.fetch.output.constructor}}' },
      'params.t: {{tasks.fetch.output.constructor}}: the output of task "fetch" has no constructor (the output has keys "0", "items", "count", "ok", "none", "app.kubernetes.io/name")',
    ],
    [
      'bad syntax',
      { list: [{ 'a key': 'x {{cluster' }] },
      'params.list[0]["a key"]: {{cluster: "{{" is not closed by "}}"',
    ],
  ])('%s', (_name, params, message) => {
    expect(renderError(params)).toBe(message);
  });

  it('does not find vars or share data on the prototype', () => {
    expect(renderError({ t: '{{toString}}' })).toContain('var "toString" is not declared');
    expect(renderError({ t: '{{.shareData.constructor}}' })).toContain('no key "constructor"');
  });

  it('says when the Dag declares no vars', () => {
    expect(renderError({ t: '{{x}}' }, { vars: {}, shareData: {}, outputs: {} })).toBe(
      'params.t: {{x}}: var "x" is not declared (the Dag declares no vars)',
    );
  });

  it('reports every failure, in walk order', () => {
    expect(renderError({ a: '{{.shareData.q}}', b: ['{{tasks.z.output}}'], c: '{{x' })).toBe(
      'params.a: {{.shareData.q}}: share data has no key "q"; ' +
        'params.b[0]: {{tasks.z.output}}: task "z" has no output; ' +
        'params.c: {{x: "{{" is not closed by "}}"',
    );
  });

  it('keeps the message within a task status message', () => {
    const params = Object.fromEntries(
      Array.from({ length: 500 }, (_, i) => [`k${i}`, `{{.shareData.missing${i}}}`]),
    );
    const message = renderError(params);
    expect(message.length).toBeLessThanOrEqual(2048);
    expect(message).toMatch(/; … and \d+ more$/);
  });
});

describe('joinCapped', () => {
  it('joins with "; " when short enough', () => {
    expect(joinCapped(['a', 'b', 'c'], 100)).toBe('a; b; c');
    expect(joinCapped([], 100)).toBe('');
  });

  it('stops with a count of the messages left out', () => {
    const out = joinCapped(
      Array.from({ length: 10 }, () => 'x'.repeat(20)),
      100,
    );
    expect(out).toBe(`${Array(3).fill('x'.repeat(20)).join('; ')}; … and 7 more`);
    expect(out.length).toBeLessThanOrEqual(100);
  });

  it('cuts a single overlong message', () => {
    const out = joinCapped(['y'.repeat(500), 'z'], 100);
    expect(out.length).toBeLessThanOrEqual(100);
    expect(out).toMatch(/^y+…; … and 1 more$/);
  });
});
