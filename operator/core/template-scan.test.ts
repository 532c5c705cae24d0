import { describe, expect, it } from 'vitest';
import { hasTemplates, templateReferences } from './templates.ts';

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
