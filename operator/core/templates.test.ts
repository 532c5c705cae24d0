import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hasTemplates,
  joinCapped,
  parseTemplate,
  renderParams,
  templateReferences,
  type TemplateSources,
} from './templates.ts';

const sources: TemplateSources = {
  vars: { cluster: 'dev', 'db.host': 'db-1', 'a-b': 'dash', n: '3', empty: '', dollar: '$& $1' },
  shareData: { ip: '10.0.0.7', 'a-b': 'shared-dash', 'x.y': 'dotted', tmpl: '{{cluster}}' },
  outputs: {
    fetch: {
      items: [{ name: 'first', tags: ['a', 'b'] }, { name: 'second' }],
      count: 2,
      ok: true,
      none: null,
      'app.kubernetes.io/name': 'web',
      '0': 'zero key',
    },
    list: [10, 20, 30],
    text: 'plain output',
    num: 42,
    nil: null,
  },
};

function render(template: string, src: TemplateSources = sources): unknown {
  const r = renderParams({ p: template }, src);
  if (!r.ok) throw new Error(r.message);
  return (r.value as { p: unknown }).p;
}

function renderError(params: unknown, src: TemplateSources = sources): string {
  const r = renderParams(params, src);
  if (r.ok) throw new Error(`rendered: ${JSON.stringify(r.value)}`);
  return r.message;
}

describe('renderParams: every supported form', () => {
  it.each([
    // fastflow pass 1
    ['{{cluster}}', 'dev'],
    ['{{ cluster }}', 'dev'],
    ['{{\tcluster\n}}', 'dev'],
    ['{{db.host}}', 'db-1'],
    ['{{a-b}}', 'dash'],
    ['{{empty}}', ''],
    // fastflow pass 2 (Go text/template)
    ['{{.vars.cluster.Value}}', 'dev'],
    ['{{ .vars.cluster.Value }}', 'dev'],
    ['{{.vars.db.host.Value}}', 'db-1'],
    ['{{.vars.a-b.Value}}', 'dash'],
    ['{{(index .vars "a-b").Value}}', 'dash'],
    ['{{ ( index .vars "db.host" ).Value }}', 'db-1'],
    ['{{.shareData.ip}}', '10.0.0.7'],
    ['{{ .shareData.ip }}', '10.0.0.7'],
    ['{{.shareData.a-b}}', 'shared-dash'],
    ['{{index .shareData "a-b"}}', 'shared-dash'],
    ['{{index .shareData "x.y"}}', 'dotted'],
    ['{{ index  .shareData  `x.y` }}', 'dotted'],
    // upstream outputs
    ['{{tasks.fetch.output.items.0.name}}', 'first'],
    ['{{tasks.fetch.output.items.1.name}}', 'second'],
    ['{{tasks.fetch.output.items.0.tags.1}}', 'b'],
    ['{{tasks.fetch.output.items[0].tags[1]}}', 'b'],
    ['{{tasks.fetch.output["app.kubernetes.io/name"]}}', 'web'],
    ['{{tasks.fetch.output[`app.kubernetes.io/name`]}}', 'web'],
    ['{{tasks.fetch.output.0}}', 'zero key'],
    ['{{tasks.text.output}}', 'plain output'],
    ['{{ tasks.list.output.2 }}', 30],
    // Go string literals: the escape for literal braces
    ['{{"{{"}}cluster}}', '{{cluster}}'],
    ['{{`{{ $labels.instance }}`}}', '{{ $labels.instance }}'],
    ['{{"a\\tb\\n\\"q\\" \\\\ \\x41\\101\\u00e9\\U0001F600"}}', 'a\tb\n"q" \\ AAé😀'],
  ])('%s -> %j', (template, expected) => {
    expect(render(template)).toEqual(expected);
  });
});

describe('renderParams: a string that is exactly one reference keeps the JSON type', () => {
  it.each([
    ['{{tasks.fetch.output.count}}', 2],
    ['{{ tasks.fetch.output.count }}', 2],
    ['{{tasks.fetch.output.ok}}', true],
    ['{{tasks.fetch.output.none}}', null],
    ['{{tasks.nil.output}}', null],
    ['{{tasks.num.output}}', 42],
    ['{{tasks.list.output}}', [10, 20, 30]],
    ['{{tasks.fetch.output.items.0}}', { name: 'first', tags: ['a', 'b'] }],
    ['{{tasks.fetch.output.items.0.tags}}', ['a', 'b']],
    // vars and share data are strings
    ['{{n}}', '3'],
    ['{{.shareData.ip}}', '10.0.0.7'],
  ])('%s -> %j', (template, expected) => {
    expect(render(template)).toStrictEqual(expected);
  });

  it.each([
    [' {{tasks.fetch.output.count}}', ' 2'],
    ['{{tasks.fetch.output.count}} ', '2 '],
    ['{{tasks.fetch.output.count}}{{tasks.fetch.output.count}}', '22'],
    ['{{""}}{{tasks.fetch.output.count}}', '2'],
    ['{{tasks.fetch.output.count}}{{""}}', '2'],
  ])('not when anything else is in the string: %j -> %j', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('copies an object it returns: changing the params does not change the outputs', () => {
    const value = render('{{tasks.fetch.output.items}}') as Array<{ name: string }>;
    (value[0] as { name: string }).name = 'changed';
    expect(render('{{tasks.fetch.output.items.0.name}}')).toBe('first');
  });
});

describe('renderParams: interpolation', () => {
  it.each([
    ['hello {{cluster}}!', 'hello dev!'],
    ['{{ cluster }}/{{cluster}}/{{.vars.cluster.Value}}', 'dev/dev/dev'],
    ['{{db.host}}:{{n}}', 'db-1:3'],
    ['[{{empty}}]', '[]'],
    ['count={{tasks.fetch.output.count}}', 'count=2'],
    ['ok={{tasks.fetch.output.ok}} none={{tasks.fetch.output.none}}', 'ok=true none=null'],
    ['items={{tasks.fetch.output.items.0.tags}}', 'items=["a","b"]'],
    ['obj={{tasks.fetch.output.items.1}}', 'obj={"name":"second"}'],
    ['ip={{.shareData.ip}} via {{index .shareData "a-b"}}', 'ip=10.0.0.7 via shared-dash'],
    // values are inserted literally and never rendered again
    ['{{dollar}}', '$& $1'],
    ['{{.shareData.tmpl}}', '{{cluster}}'],
    // text that is not a template is left alone
    ['{name} }} {x}', '{name} }} {x}'],
  ])('%j -> %j', (template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe('renderParams: params', () => {
  it('walks nested maps and lists, renders only strings, keeps keys as written', () => {
    const params = {
      url: 'http://{{db.host}}/x',
      port: 8080,
      flags: [true, null, 1.5],
      nested: {
        list: ['{{cluster}}', { deep: '{{n}} items', count: '{{tasks.fetch.output.count}}' }],
        '{{cluster}}': 'key kept',
      },
    };
    const r = renderParams(params, sources);
    expect(r).toEqual({
      ok: true,
      value: {
        url: 'http://db-1/x',
        port: 8080,
        flags: [true, null, 1.5],
        nested: {
          list: ['dev', { deep: '3 items', count: 2 }],
          '{{cluster}}': 'key kept',
        },
      },
    });
  });

  it('returns a new value and leaves the input as it was', () => {
    const params = { a: ['{{cluster}}'], b: { c: 'plain' } };
    const r = renderParams(params, sources);
    expect(params).toEqual({ a: ['{{cluster}}'], b: { c: 'plain' } });
    if (!r.ok) throw new Error(r.message);
    const value = r.value as typeof params;
    expect(value.b).not.toBe(params.b);
    expect(value.b).toEqual(params.b);
  });

  it('renders scalars, null and undefined params as they are', () => {
    expect(renderParams(undefined, sources)).toEqual({ ok: true, value: undefined });
    expect(renderParams(null, sources)).toEqual({ ok: true, value: null });
    expect(renderParams(7, sources)).toEqual({ ok: true, value: 7 });
    expect(renderParams('{{cluster}}', sources)).toEqual({ ok: true, value: 'dev' });
  });

  it('keeps keys such as __proto__ as plain data', () => {
    const params = JSON.parse('{"__proto__": {"x": "{{cluster}}"}}') as unknown;
    const r = renderParams(params, sources);
    if (!r.ok) throw new Error(r.message);
    expect(Object.getPrototypeOf(r.value)).toBe(Object.prototype);
    expect(Object.hasOwn(r.value as object, '__proto__')).toBe(true);
  });
});

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

describe('parseTemplate: syntax', () => {
  it.each([
    ['{{x', '{{x', '"{{" is not closed by "}}"'],
    ['a {{ b }} {{c', '{{c', '"{{" is not closed by "}}"'],
    ['{{ "}}', '{{ "}}', 'bad string'],
    ['{{}}', '{{}}', 'empty template'],
    ['{{   }}', '{{   }}', 'empty template'],
    ['{{1abc}}', '{{1abc}}', 'not a supported template'],
    ['{{a b}}', '{{a b}}', 'not a supported template'],
    ['{{.vars.x.Value | upper}}', '{{.vars.x.Value | upper}}', 'not a supported template'],
    ['{{printf "%s" .vars.x.Value}}', '{{printf "%s" .vars.x.Value}}', 'not a supported template'],
    ['{{- .shareData.ip -}}', '{{- .shareData.ip -}}', 'not a supported template'],
    ['{{/* note */}}', '{{/* note */}}', 'not a supported template'],
    ['{{$x}}', '{{$x}}', 'not a supported template'],
    ['{{.}}', '{{.}}', 'not a supported template'],
    ['{{.vars}}', '{{.vars}}', 'not a supported template'],
    ['{{.vars.x}}', '{{.vars.x}}', 'write {{.vars.x.Value}}'],
    ['{{.vars.x.value}}', '{{.vars.x.value}}', 'write {{.vars.x.value.Value}}'],
    ['{{index .vars "a-b"}}', '{{index .vars "a-b"}}', 'write {{(index .vars "a-b").Value}}'],
    ['{{index .vars "a" "Value"}}', '{{index .vars "a" "Value"}}', '(index .vars "a").Value'],
    ['{{.shareData}}', '{{.shareData}}', 'not a supported template'],
    ['{{.shareData.a.b}}', '{{.shareData.a.b}}', 'write {{index .shareData "a.b"}}'],
    ['{{index .shareData}}', '{{index .shareData}}', 'not a supported template'],
    ['{{index .shareData "a" "b"}}', '{{index .shareData "a" "b"}}', 'not a supported'],
    ['{{index .shareData "\\q"}}', '{{index .shareData "\\q"}}', 'bad string'],
    ['{{"\\777"}}', '{{"\\777"}}', 'bad string'],
    ['{{"\\uD800"}}', '{{"\\uD800"}}', 'bad string'],
    ['{{tasks.fetch}}', '{{tasks.fetch}}', 'expected {{tasks.<id>.output}}'],
    ['{{tasks..output}}', '{{tasks..output}}', 'expected {{tasks.<id>.output}}'],
    ['{{tasks.a.outputs}}', '{{tasks.a.outputs}}', 'expected {{tasks.<id>.output}}'],
    ['{{tasks.a.output.}}', '{{tasks.a.output.}}', 'a key must follow "."'],
    ['{{tasks.a.output..b}}', '{{tasks.a.output..b}}', 'a key must follow "."'],
    ['{{tasks.a.output[x]}}', '{{tasks.a.output[x]}}', 'use [<index>] or ["<key>"]'],
    ['{{tasks.a.output[01]}}', '{{tasks.a.output[01]}}', 'use [<index>] or ["<key>"]'],
    ['{{tasks.a.output["k"}}', '{{tasks.a.output["k"}}', 'use [<index>] or ["<key>"]'],
    ['{{tasks.a.output x}}', '{{tasks.a.output x}}', 'expected {{tasks.<id>.output}}'],
    ['{{tasks.a.output.b c}}', '{{tasks.a.output.b c}}', 'use .key, .0, [0] or ["key"]'],
    ['{{tasks.a.output.b"c"}}', '{{tasks.a.output.b"c"}}', 'use .key, .0, [0] or ["key"]'],
  ])('%j is refused: %s', (s, text, message) => {
    const parsed = parseTemplate(s);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.text).toBe(text);
    expect(parsed.message).toContain(message);
  });

  it('cuts a long unclosed template short in the message', () => {
    const parsed = parseTemplate(`{{${'x'.repeat(100)}`);
    expect(parsed).toMatchObject({ ok: false, text: `{{${'x'.repeat(38)}…` });
  });

  it('cuts a long malformed template short in the message', () => {
    const parsed = parseTemplate(`{{ ${'a '.repeat(100)}}}`);
    expect(parsed).toMatchObject({ ok: false, text: `{{ ${'a '.repeat(100)}`.slice(0, 120) + '…' });
  });

  it('finds the closing braces after quoted strings that hold braces', () => {
    expect(parseTemplate('{{index .shareData "}}"}}')).toEqual({
      ok: true,
      parts: [{ kind: 'shareData', key: '}}', text: '{{index .shareData "}}"}}' }],
      single: true,
    });
  });

  it('cuts a string into text and references', () => {
    expect(parseTemplate('a {{x}} b {{"{{"}} {{tasks.t.output.k[0]}}')).toEqual({
      ok: true,
      parts: [
        'a ',
        { kind: 'var', name: 'x', text: '{{x}}' },
        ' b {{ ',
        { kind: 'output', task: 't', path: ['k', '0'], text: '{{tasks.t.output.k[0]}}' },
      ],
      single: false,
    });
  });

  it.each([
    ['{{tasks.my.task.output.x}}', 'my.task', ['x']],
    ['{{tasks.a-b_c.output}}', 'a-b_c', []],
    ['{{tasks.output.output.output}}', 'output', ['output']],
    ['{{tasks.a.output.b.output}}', 'a', ['b', 'output']],
    ['{{tasks.a.output[0]["x.y"].z}}', 'a', ['0', 'x.y', 'z']],
  ])('reads the task id and path of %s', (s, task, path) => {
    expect(parseTemplate(s)).toMatchObject({ ok: true, parts: [{ kind: 'output', task, path }] });
  });

  it('reads a short name that starts with "tasks" but not "tasks." as a var', () => {
    expect(parseTemplate('{{tasks}}')).toMatchObject({ ok: true, parts: [{ kind: 'var' }] });
    expect(parseTemplate('{{tasksX.y}}')).toMatchObject({ ok: true, parts: [{ kind: 'var' }] });
  });
});

describe('templateReferences and hasTemplates', () => {
  const params = {
    a: 'x {{cluster}} {{ .shareData.ip }}',
    b: [{ c: '{{tasks.fetch.output.items.0}}' }, 'plain', 3],
    'd e': '{{(index .vars "a-b").Value}}',
    bad: '{{x',
    '{{key}}': 'no template',
  };

  it('lists well-formed references with the path of their string', () => {
    expect(templateReferences(params)).toEqual([
      { path: 'params.a', ref: { kind: 'var', name: 'cluster', text: '{{cluster}}' } },
      { path: 'params.a', ref: { kind: 'shareData', key: 'ip', text: '{{ .shareData.ip }}' } },
      {
        path: 'params.b[0].c',
        ref: {
          kind: 'output',
          task: 'fetch',
          path: ['items', '0'],
          text: '{{tasks.fetch.output.items.0}}',
        },
      },
      {
        path: 'params["d e"]',
        ref: { kind: 'var', name: 'a-b', text: '{{(index .vars "a-b").Value}}' },
      },
    ]);
    expect(templateReferences({ x: '{{n}}' }, 'spec.tasks[3].params')).toEqual([
      { path: 'spec.tasks[3].params.x', ref: { kind: 'var', name: 'n', text: '{{n}}' } },
    ]);
  });

  it.each([
    [{ a: 'plain', b: [1, { c: 'x }} y' }], '{{k}}': 'v' }, false],
    [undefined, false],
    [{ a: [{ b: 'z {{x' }] }, true],
    [{ a: '{{"{{"}}' }, true],
    ['{{x}}', true],
  ])('hasTemplates(%j) is %s', (p, expected) => {
    expect(hasTemplates(p)).toBe(expected);
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

describe('renderParams: properties', () => {
  const text = fc.string().filter((s) => !s.includes('{{'));
  const key = fc.string();
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('is the identity on params without templates (a copy, never the input)', () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 6 }), (params) => {
        const r = renderParams(params, sources);
        expect(r).toEqual({ ok: true, value: params });
        if (r.ok && Object.keys(params).length > 0) expect(r.value).not.toBe(params);
      }),
    );
  });

  const piece = fc.oneof(
    text,
    fc.constantFrom(
      '{{cluster}}',
      '{{ .vars.n.Value }}',
      '{{.shareData.ip}}',
      '{{.shareData.gone}}',
      '{{tasks.fetch.output.items.0}}',
      '{{tasks.list.output.9}}',
      '{{x',
      '{{"{{"}}',
      '{{ a b }}',
      '}}',
      '{',
    ),
  );
  const templated: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.array(piece, { maxLength: 4 }).map((ps) => ps.join('')),
      fc.integer(),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(key, tie('value'), { maxKeys: 3 }),
    ),
  })).value;

  it('is deterministic and does not modify its input', () => {
    fc.assert(
      fc.property(templated, (params) => {
        const before = structuredClone(params);
        const first = renderParams(params, sources);
        expect(renderParams(params, sources)).toEqual(first);
        expect(params).toEqual(before);
      }),
    );
  });

  it('fails exactly when a string holds a template that cannot render', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 5 }), (ps) => {
        // Spaces keep pieces from forming new braces ("{" + "{{x}}").
        const s = ps.join(' ');
        const bad = ['{{.shareData.gone}}', '{{tasks.list.output.9}}', '{{x', '{{ a b }}'];
        const r = renderParams({ s }, sources);
        const expectFail = ps.some((p) => bad.includes(p));
        expect(r.ok).toBe(!expectFail);
      }),
    );
  });
});
