import { describe, expect, it } from 'vitest';
import { parseTemplate } from './templates.ts';

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
