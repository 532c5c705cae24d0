import { readFileSync } from 'node:fs';
/**
 * The generated CRDs on a real API server: accepted as structural, and every
 * admission rule of the schema refuses what it should, with its message
 * (the preCheck policy's: precheck-admission.test.ts).
 * (globalSetup applied crds/*.yaml before this file runs.)
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { dagCrd, dagInstanceCrd } from '../../operator/api/crd/crds.ts';
import type { CustomResourceDefinition } from '../../operator/api/crd/crds.ts';
import { MAX_TASKS } from '../../operator/api/dag.ts';
import { DAG, DAG_INSTANCE, GROUP, VERSION } from '../../operator/api/names.ts';
import { ACTION_NAME_REQUIRED } from '../../operator/api/task-types.ts';
import { createTestNamespace, deleteTestNamespace, kubectl } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { refusal } from '../support/kube-requests.ts';

let ns: string;
let custom: CustomObjectsApi;
// Only the API server's admission runs here: no operator or worker is started.
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('crds'));
  ({ namespace: ns, custom } = env);
});

afterAll(async () => {
  if (ns) await deleteTestNamespace(ns);
});

const dags = (): { group: string; version: string; namespace: string; plural: string } => ({
  group: GROUP,
  version: VERSION,
  namespace: ns,
  plural: DAG.plural,
});
const instances = (): ReturnType<typeof dags> => ({ ...dags(), plural: DAG_INSTANCE.plural });

function dag(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: DAG.kind, metadata: { name }, spec };
}

function instance(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: DAG_INSTANCE.kind, metadata: { name }, spec };
}

const chain = [
  { id: 'task1', actionName: 'PrintAction' },
  { id: 'task2', actionName: 'PrintAction', dependOn: ['task1'] },
  { id: 'task3', actionName: 'PrintAction', dependOn: ['task2'] },
];

describe.each([
  ['Dag', dagCrd()],
  ['DagInstance', dagInstanceCrd()],
] as const)('%s CRD on the API server', (_kind, crd: CustomResourceDefinition) => {
  it('is Established, names accepted, no NonStructuralSchema; schema stored as generated', async () => {
    const res = await kubectl(['get', 'crd', crd.metadata.name, '-o', 'json']);
    expect(res.stderr).toBe('');
    const stored = JSON.parse(res.stdout) as {
      spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
      status: { conditions: { type: string; status: string; message: string }[] };
    };
    const conditions = Object.fromEntries(stored.status.conditions.map((c) => [c.type, c]));
    expect(conditions.Established?.status).toBe('True');
    expect(conditions.NamesAccepted?.status).toBe('True');
    expect(conditions.NonStructuralSchema).toBeUndefined();
    // Nothing the generator wrote was dropped by the API server.
    expect(stored.spec.versions[0]?.schema.openAPIV3Schema).toEqual(
      crd.spec.versions[0]?.schema.openAPIV3Schema,
    );
  });
});

describe('Dag admission', () => {
  it('accepts a fastflow YAML body (vars, preCheck as a map and as a list)', async () => {
    const body = readFileSync(
      new URL('../fixtures/fastflow-seed-dag.yaml', import.meta.url),
      'utf8',
    );
    const manifest = stringify({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Dag',
      metadata: { name: 'test-dag', namespace: ns },
      spec: parse(body) as unknown,
    });
    const applied = await kubectl(['apply', '--validate=strict', '-f', '-'], { input: manifest });
    expect(applied.stderr).toBe('');
    expect(applied).toMatchObject({ code: 0, stdout: 'dag.fastflow.io/test-dag created\n' });

    const got = await custom.getNamespacedCustomObject({ ...dags(), name: 'test-dag' });
    const sent = (parse(manifest) as { spec: unknown }).spec;
    expect((got as { spec: unknown }).spec).toEqual(sent); // free-form fields kept as sent
  });

  it('shows the printer columns; kubectl explain shows the descriptions', async () => {
    await env.createDag('columns', { tasks: chain });
    const table = await kubectl(['get', 'dags', '-n', ns, 'columns']);
    expect(table.stdout.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'TASKS', 'VALID', 'AGE']);

    const explain = await kubectl(['explain', 'dags.spec.tasks.actionName']);
    expect(explain.stdout).toContain(
      'The registered action that runs this task (required for type action).',
    );
  });

  it('refuses a duplicate task id (list map keyed by id)', async () => {
    const tasks = [...chain, { id: 'task1', actionName: 'PrintAction' }];
    const { code, stderr: message } = await refusal(env.createDag('dup', { tasks }));
    expect(code).toBe(422);
    expect(message).toBe(
      'Dag.fastflow.io "dup" is invalid: spec.tasks[3]: Duplicate value: {"id":"task1"}',
    );
  });

  it('refuses a bad task id', async () => {
    const tasks = [{ id: 'bad/id', actionName: 'PrintAction' }];
    const { code, stderr: message } = await refusal(env.createDag('badid', { tasks }));
    expect(code).toBe(422);
    expect(message).toBe(
      `Dag.fastflow.io "badid" is invalid: spec.tasks[0].id: Invalid value: "bad/id": spec.tasks[0].id in body should match '^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$'`,
    );
  });

  it('refuses an action task without actionName (the admission policy: a system task needs none)', async () => {
    const { code, stderr: message } = await refusal(
      env.createDag('noaction', { tasks: [{ id: 'a' }] }),
    );
    expect(code).toBe(422);
    expect(message).toContain(`spec.tasks[0].actionName (task a): ${ACTION_NAME_REQUIRED}`);
  });

  it(`refuses more than ${MAX_TASKS} tasks (a count, no CEL)`, async () => {
    const tasks = Array.from({ length: MAX_TASKS + 1 }, (_, i) => ({
      id: `t${i}`,
      actionName: 'A',
    }));
    const { code, stderr: message } = await refusal(env.createDag('toomany', { tasks }));
    expect(code).toBe(422);
    expect(message).toContain(
      `spec.tasks: Too many: ${MAX_TASKS + 1}: must have at most ${MAX_TASKS} items`,
    );
  });

  it('§13.9 refuses an unknown field when the client asks for strict validation', async () => {
    const body = dag('unknown', { tasks: [{ id: 'a', actionName: 'A', action: 'typo' }] });
    const { code, stderr: message } = await refusal(
      custom.createNamespacedCustomObject({ ...dags(), body, fieldValidation: 'Strict' }),
    );
    expect(code).toBe(400);
    expect(message).toBe(
      'Dag in version "v1alpha1" cannot be handled as a Dag: strict decoding error: unknown field "spec.tasks[0].action"',
    );

    const applied = await kubectl(['apply', '--validate=strict', '-n', ns, '-f', '-'], {
      input: JSON.stringify(body),
    });
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toContain('unknown field "spec.tasks[0].action"');
  });
});

describe('DagInstance admission', () => {
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const patch = (name: string, spec: Record<string, unknown>): Promise<unknown> =>
    custom.patchNamespacedCustomObject({ ...instances(), name, body: { spec } }, mergePatch);

  beforeAll(async () => {
    await custom.createNamespacedCustomObject({
      ...instances(),
      body: instance('with-vars', { dagRef: { name: 'test-dag' }, vars: { fileName: 'a.txt' } }),
    });
    await custom.createNamespacedCustomObject({
      ...instances(),
      body: instance('no-vars', { dagRef: { name: 'test-dag' } }),
    });
  });

  it('refuses a dagRef change', async () => {
    const { code, stderr: message } = await refusal(
      patch('with-vars', { dagRef: { name: 'other' } }),
    );
    expect(code).toBe(422);
    expect(message).toBe(
      'DagInstance.fastflow.io "with-vars" is invalid: spec.dagRef: Invalid value: dagRef is immutable',
    );
  });

  it('refuses a vars change, and adding or removing vars', async () => {
    for (const [name, spec] of [
      ['with-vars', { vars: { fileName: 'b.txt' } }],
      ['with-vars', { vars: null }],
      ['no-vars', { vars: { fileName: 'b.txt' } }],
    ] as const) {
      const { code, stderr: message } = await refusal(patch(name, spec));
      expect(code, `${name} ${JSON.stringify(spec)}`).toBe(422);
      expect(message).toBe(
        `DagInstance.fastflow.io "${name}" is invalid: spec.vars: Invalid value: vars are immutable`,
      );
    }
  });

  it('refuses a var name the Dag could not declare', async () => {
    const { code, stderr: message } = await refusal(
      custom.createNamespacedCustomObject({
        ...instances(),
        body: instance('bad-var', { dagRef: { name: 'test-dag' }, vars: { '1x': 'a' } }),
      }),
    );
    expect(code).toBe(422);
    expect(message).toContain('spec.vars: Invalid value');
    expect(message).toContain('var names start with a letter or "_"');
  });

  it('allows metadata changes, and shows the printer columns', async () => {
    await custom.patchNamespacedCustomObject(
      { ...instances(), name: 'with-vars', body: { metadata: { labels: { a: 'b' } } } },
      mergePatch,
    );
    const table = await kubectl(['get', 'dagi', '-n', ns, 'with-vars', '-o', 'wide']);
    expect(table.stdout.split('\n')[0]?.split(/\s+/)).toEqual([
      'NAME',
      'DAG',
      'PHASE',
      'PROGRESS',
      'AGE',
      'DURATION',
      'MESSAGE',
    ]);
    expect(table.stdout.split('\n')[1]).toMatch(/^with-vars\s+test-dag\s/);
  });
});

describe('field management of the task maps', () => {
  it('records a status.tasks map as one field: managedFields does not grow with its entries', async () => {
    const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await custom.createNamespacedCustomObject({
      ...instances(),
      body: instance('many-entries', { dagRef: { name: 'test-dag' } }),
    });
    const at = '2026-05-01T10:00:00.000Z';
    const tasks = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [
        `t${i}`,
        { phase: 'Scheduled', worker: 'w', attempt: 1, scheduledAt: at },
      ]),
    );
    await custom.patchNamespacedCustomObjectStatus(
      { ...instances(), name: 'many-entries', body: { status: { phase: 'Running', tasks } } },
      mergePatch,
    );
    const stored = (await custom.getNamespacedCustomObject({
      ...instances(),
      name: 'many-entries',
    })) as { metadata: { managedFields?: unknown[] }; status: { tasks: object } };
    expect(Object.keys(stored.status.tasks)).toHaveLength(300);
    // Granular, it held each entry's field set: about as many bytes as the status itself.
    expect(JSON.stringify(stored.metadata.managedFields).length).toBeLessThan(2048);
  });
});
