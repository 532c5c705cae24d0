import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderParams } from './templates.ts';
import { sources } from '../../test/support/template-render-fixtures.ts';

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
