/**
 * The preCheck admission policy of the Dag CRD on a real API server: an
 * unknown op, act or source refused in both shapes with its message, the
 * others stored as sent, and never a Dag refused for the rule's CEL cost.
 * (globalSetup applied crds/*.yaml before this file runs.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TASKS } from '../../operator/api/dag.ts';
import { dagResource } from '../../operator/api/names.ts';
import { createTestNamespace, deleteTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { refusal } from '../support/kube-requests.ts';

// Only the API server's admission runs here: no operator or worker is started.
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('precheck-admission'));
});

afterAll(async () => {
  if (env) await deleteTestNamespace(env.namespace);
});

describe('preCheck admission policy', () => {
  it.each([
    [
      'an unknown op',
      { act: 'skip', conditions: [{ source: 'vars', key: 'k', op: 'contains', values: ['x'] }] },
    ],
    [
      'an unknown act',
      { act: 'pause', conditions: [{ source: 'vars', key: 'k', op: 'in', values: ['x'] }] },
    ],
    [
      'an unknown source',
      { act: 'skip', conditions: [{ source: 'env', key: 'k', op: 'in', values: ['x'] }] },
    ],
  ])('§13.5 refuses a preCheck with %s, in the map and in the list shape', async (_what, check) => {
    for (const preCheck of [{ named: check }, [check]]) {
      const tasks = [
        { id: 'ok', actionName: 'print' },
        { id: 'bad', actionName: 'print', preCheck },
      ];
      const { code, stderr: message } = await refusal(
        env.createDag(`policy-${Math.random().toString(36).slice(2, 8)}`, { tasks }),
      );
      expect(code).toBe(422);
      expect(message).toContain(
        'spec.tasks[1].preCheck (task bad): every check needs act skip or block',
      );
    }
  });

  it('accepts the new ops and both shapes, and stores them as sent', async () => {
    const exists = { source: 'vars', key: 'k', op: 'exists' };
    const notExists = { source: 'share-data', key: 'k', op: 'not-exists' };
    const tasks = [
      {
        id: 'a',
        actionName: 'print',
        preCheck: { one: { act: 'block', conditions: [exists, notExists] } },
      },
      { id: 'b', actionName: 'print', preCheck: [{ act: 'skip', conditions: [notExists] }] },
    ];
    const created = (await env.createDag('policy-ok', { tasks })) as { spec: { tasks: unknown } };
    expect(created.spec.tasks).toEqual(tasks);
    const stored = (await env.custom.getNamespacedCustomObject({
      ...dagResource,
      namespace: env.namespace,
      name: 'policy-ok',
    })) as { spec: { tasks: unknown } };
    expect(stored.spec.tasks).toEqual(tasks);
  });

  it('never refuses a Dag for CEL cost: the densest preChecks an object can store pass', async () => {
    const condition = { source: 'vars', key: 'k', op: 'eq' };
    const check = { act: 'skip', conditions: Array.from({ length: 16 }, () => condition) };
    const dense = Array.from({ length: 140 }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
      preCheck: Array.from({ length: 16 }, () => check),
    }));
    const many = Array.from({ length: MAX_TASKS }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
      preCheck: [{ act: 'block', conditions: [condition] }],
    }));
    for (const [name, tasks] of [
      ['dense', dense],
      ['many', many],
    ] as const) {
      expect(JSON.stringify(tasks).length, name).toBeGreaterThan(1_000_000); // near etcd's 1.5 MiB
      await env.createDag(`cost-${name}`, { tasks });
    }
  });
});
