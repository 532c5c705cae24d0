import { describe, expect, it } from 'vitest';
import { renderParams } from './templates.ts';
import { render, sources } from '../../test/support/template-render-fixtures.ts';

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
