import { describe, expect, it } from 'vitest';
import type { ActionSchemaSet } from '../api/action-schemas.ts';
import { createLogger } from '../log.ts';
import type { ActionSchemaStore } from '../store/action-schemas.ts';
import { ActionSchemaCatalog } from './action-schema-catalog.ts';
import type { LiveWorker } from './worker-registry.ts';

const NUMBER = { params: { type: 'object', properties: { n: { type: 'number' } } } };
const STRING = { params: { type: 'object', properties: { n: { type: 'string' } } } };

function catalog(sets: Record<string, ActionSchemaSet>, live: LiveWorker[]) {
  let changes = 0;
  const store = { read: (_ns: string, name: string) => Promise.resolve(sets[name]) };
  const c = new ActionSchemaCatalog({
    store: store as unknown as ActionSchemaStore,
    namespace: 'ff',
    live: () => live,
    changed: () => changes++,
    log: createLogger('silent'),
  });
  return { c, changes: () => changes };
}

const worker = (name: string, schemas?: string): LiveWorker => ({
  name,
  actions: new Set(),
  capacity: 1,
  ...(schemas ? { schemas } : {}),
});

describe('ActionSchemaCatalog', () => {
  it("merges the live workers' sets and says when the result changes", async () => {
    const live = [worker('a', 'cm1'), worker('b', 'cm2'), worker('old')];
    const { c, changes } = catalog({ cm1: { Scale: NUMBER }, cm2: { Plan: {} } }, live);
    await c.refresh();
    expect(c.current()).toEqual({ Scale: NUMBER, Plan: {} });
    expect(changes()).toBe(1);
    await c.refresh();
    expect(changes()).toBe(1);
    live.pop();
    live.pop();
    await c.refresh();
    expect(c.current()).toEqual({ Scale: NUMBER });
    expect(changes()).toBe(2);
  });

  it('leaves out an action two versions advertise differently, and a set it cannot read', async () => {
    const live = [worker('a', 'v1'), worker('b', 'v2'), worker('c', 'gone')];
    const { c } = catalog(
      { v1: { Scale: NUMBER, Plan: {} }, v2: { Scale: STRING, Plan: {} } },
      live,
    );
    await c.refresh();
    expect(c.current()).toEqual({ Plan: {} });
  });
});
