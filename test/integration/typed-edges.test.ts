import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../operator/api/common.ts';
import { API_VERSION, DAG, dagResource } from '../../operator/api/names.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { home, plugin } from '../support/plugin-cli.ts';

const typedModule = fileURLToPath(new URL('../support/actions/typed.ts', import.meta.url));
let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('typed-edges'));
  env.startOperator('operator-a');
  env.startWorker('typed', { actions: [typedModule] });
});
afterAll(async () => env.stop());

/** The Dag's ParamsMatchActions condition once `holds` says it is the one awaited. */
async function paramsCondition(name: string, holds: (c: Condition) => boolean): Promise<Condition> {
  let last: Condition | undefined;
  for (let i = 0; i < 300; i++) {
    const dag = await env.getDag(name);
    const status = dag['status'] as { conditions?: Condition[] } | undefined;
    last = status?.conditions?.find((c) => c.type === 'ParamsMatchActions');
    if (last && holds(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Dag ${name}: ParamsMatchActions is ${JSON.stringify(last)}`);
}

const TASKS = (replicas: unknown) => [
  { id: 'plan', actionName: 'plan' },
  { id: 'scale', actionName: 'scale', dependOn: ['plan'], params: { replicas, name: 'web' } },
];

describe('typed edges', () => {
  it('reports params that do not fit the advertised schema by path, and clears it once fixed', async () => {
    await env.createDag('typed', { tasks: TASKS('{{tasks.plan.output.target}}') });
    const wrong = await paramsCondition('typed', (c) => c.status === 'False');
    expect(wrong.reason).toBe('ParamsMismatch');
    expect(wrong.message).toBe(
      'task "scale" (action scale): spec.tasks[1].params.replicas: expected integer, given the output {{tasks.plan.output.target}} (string)',
    );

    const dag = await env.getDag('typed');
    await env.custom.replaceNamespacedCustomObject({
      ...dagResource,
      namespace: env.namespace,
      name: 'typed',
      body: {
        ...dag,
        apiVersion: API_VERSION,
        kind: DAG.kind,
        spec: { tasks: TASKS('{{tasks.plan.output.count}}') },
      },
    });
    const fixed = await paramsCondition('typed', (c) => c.status === 'True');
    expect(fixed).toMatchObject({
      reason: 'ParamsMatch',
      message: "every task's params fit its action's schema",
    });
  });

  it('does not refuse a Dag whose action no worker advertises yet: a warning', async () => {
    await env.createDag('later', {
      tasks: [{ id: 'x', actionName: 'not-yet', params: { n: 'a' } }],
    });
    const c = await paramsCondition('later', (x) => x.reason === 'ActionsNotAdvertised');
    expect(c.status).toBe('True');
    expect(c.message).toBe(
      'not checked: no live worker advertises "not-yet" (its worker may start later)',
    );
    expect((await env.dagStatus('later'))['valid']).toBe(true);
  });

  it('kubectl fastflow lint --cluster says the same before the Dag is applied, with the line', async () => {
    const file = join(home, 'typed.yaml');
    writeFileSync(
      file,
      `tasks:
  - { id: plan, actionName: plan }
  - id: scale
    actionName: scale
    dependOn: [plan]
    params: { replicas: three, name: web }
  - { id: other, actionName: not-yet }
`,
    );
    const r = await plugin(['lint', '--cluster', '-n', env.namespace, file]);
    expect(r.stdout.split('\n')).toEqual([
      `${file}:6:15: tasks[1].params.replicas: task "scale" (action scale): expected integer, given string "three"`,
      `${file}: note: not checked: "not-yet" (no schema from 1 live worker in ${env.namespace})`,
      `${file}: 1 problem`,
      '',
    ]);
    expect(r.stderr).toBe(`params checked against 1 live worker in ${env.namespace}\n`);
    expect(r.code).toBe(1);
    // Without --cluster, nothing is asked of a cluster and the params are not checked.
    expect((await plugin(['lint', file], { KUBECONFIG: undefined })).code).toBe(0);
  });
});
