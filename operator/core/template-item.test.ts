import { describe, expect, it } from 'vitest';
import { itemOf } from './grown-graph.ts';
import { renderParams } from './templates.ts';

// A fan-out copy renders {{item}}, {{item.<path>}} and {{itemIndex}} from its item.

const sources = (item: unknown, itemIndex = 2) => ({
  vars: { item: 'the var' },
  shareData: {},
  outputs: {},
  item: { item, itemIndex },
});

describe('templates of a fan-out copy', () => {
  it('{{item}} alone keeps the JSON type; inside text it is interpolated', () => {
    const item = { name: 'a.png', size: { w: 640 }, tags: ['x', 'y'] };
    expect(
      renderParams(
        { whole: '{{item}}', w: '{{item.size.w}}', tag: '{{item.tags.1}}', at: 'n={{itemIndex}}' },
        sources(item),
      ),
    ).toEqual({ ok: true, value: { whole: item, w: 640, tag: 'y', at: 'n=2' } });
  });

  it('a path the item does not have is a clear error naming the copy', () => {
    const r = renderParams({ a: '{{item.size.h}}' }, sources({ size: { w: 1 } }, 7));
    expect(r).toEqual({
      ok: false,
      message: 'params.a: {{item.size.h}}: item 7 has no size.h (item.size has keys "w")',
    });
  });

  it('without an item (not a copy), item is a var like any other', () => {
    expect(
      renderParams({ a: '{{item}}' }, { vars: { item: 'v' }, shareData: {}, outputs: {} }),
    ).toEqual({
      ok: true,
      value: { a: 'v' },
    });
  });

  it('a copy finds its item in the fan-out task recorded params', () => {
    expect(itemOf('resize[1]', { items: ['a', 'b'] })).toEqual({ item: 'b', itemIndex: 1 });
    expect(itemOf('resize[5]', { items: ['a'] })).toBeUndefined();
    expect(itemOf('resize', { items: ['a'] })).toBeUndefined();
  });
});
