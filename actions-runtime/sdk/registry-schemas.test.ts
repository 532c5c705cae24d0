import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction } from './action.ts';
import { ActionRegistry } from './registry.ts';

describe('ActionRegistry.schemas', () => {
  it("advertises each action's params as the Dag writes them and its declared output", () => {
    const registry = new ActionRegistry().register(
      defineAction({
        name: 'Scale',
        params: z.object({ replicas: z.number().int().default(1), name: z.string() }),
        output: z.object({ ready: z.boolean() }),
        run: () => ({ ready: true }),
      }),
      defineAction({ name: 'Free', run: () => undefined }),
    );
    const schemas = registry.schemas();
    expect(schemas['Scale']?.params).toMatchObject({
      type: 'object',
      properties: { replicas: { type: 'integer' }, name: { type: 'string' } },
      required: ['name'],
    });
    expect(schemas['Scale']?.output).toMatchObject({ properties: { ready: { type: 'boolean' } } });
    expect(schemas['Free']).toEqual({});
  });

  it('advertises a type JSON Schema cannot express as anything', () => {
    const registry = new ActionRegistry().register(
      defineAction({
        name: 'Odd',
        params: z.object({ when: z.custom<Date>((v) => v instanceof Date) }),
        run: () => undefined,
      }),
    );
    expect(registry.schemas()['Odd']?.params).toMatchObject({ properties: { when: {} } });
  });
});
