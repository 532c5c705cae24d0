import { describe, expect, it } from 'vitest';
import { defineAction } from './action.ts';
import { ActionRegistry } from './registry.ts';

const a = defineAction({ name: 'alpha', run: () => {} });
const b = defineAction({ name: 'beta', run: () => {} });

describe('ActionRegistry', () => {
  it('registers actions, finds them by name and lists the names sorted', () => {
    const registry = new ActionRegistry().register(b, a);
    expect(registry.get('alpha')).toBe(a);
    expect(registry.get('beta')).toBe(b);
    expect(registry.get('gamma')).toBeUndefined();
    expect(registry.names()).toEqual(['alpha', 'beta']);
  });

  it('refuses a name registered twice, naming it', () => {
    const registry = new ActionRegistry().register(a);
    const other = defineAction({ name: 'alpha', run: () => 1 });
    expect(() => registry.register(other)).toThrow('action "alpha" is registered twice');
    expect(registry.get('alpha')).toBe(a);
    expect(() => new ActionRegistry().register(b, b)).toThrow(/"beta"/);
  });
});
