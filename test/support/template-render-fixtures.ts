import { renderParams, type TemplateSources } from '../../operator/core/templates.ts';

/**
 * What the template tests render against: vars and share data with awkward
 * names, and upstream outputs of every JSON type.
 */
export const sources: TemplateSources = {
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

/** The value one template renders to; throws when it does not render. */
export function render(template: string, src: TemplateSources = sources): unknown {
  const r = renderParams({ p: template }, src);
  if (!r.ok) throw new Error(r.message);
  return (r.value as { p: unknown }).p;
}

/** The message of params that do not render; throws when they do. */
export function renderError(params: unknown, src: TemplateSources = sources): string {
  const r = renderParams(params, src);
  if (r.ok) throw new Error(`rendered: ${JSON.stringify(r.value)}`);
  return r.message;
}
