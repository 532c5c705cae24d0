import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from './action.ts';

describe('defineAction', () => {
  it('returns the action as given', () => {
    const def = { name: 'Hello.World-1', params: z.object({ n: z.number() }), run: () => {} };
    expect(defineAction(def)).toBe(def);
    expect(defineAction({ name: 'x'.repeat(253), run: () => {} }).name).toHaveLength(253);
  });

  it('refuses an empty, too long or spaced name, quoting it', () => {
    expect(() => defineAction({ name: '', run: () => {} })).toThrow(
      'action name "" must be 1-253 characters without spaces',
    );
    expect(() => defineAction({ name: 'two words', run: () => {} })).toThrow(/"two words"/);
    expect(() => defineAction({ name: 'tab\there', run: () => {} })).toThrow(/must be 1-253/);
    expect(() => defineAction({ name: 'x'.repeat(254), run: () => {} })).toThrow(/must be 1-253/);
  });
});
