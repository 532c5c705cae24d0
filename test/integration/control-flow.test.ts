/**
 * System tasks (docs/control-flow.md) on the real control plane, with a
 * stock worker: the page's examples run as written, and what is refused is
 * refused where the user looks (kubectl apply, Dag status, lint).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_NAME_REQUIRED } from '../../operator/api/task-types.ts';
import { createTestNamespace } from '../support/cluster.ts';
import { docDag } from '../support/doc-examples.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { home, plugin } from '../support/plugin-cli.ts';

let env: FastflowEnv;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('control-flow'));
  env.startOperator('operator-a');
  env.startWorker('worker');
});
afterAll(async () => env.stop());

const phasesOf = (tasks: Record<string, { phase: string }> | undefined) =>
  Object.fromEntries(Object.entries(tasks ?? {}).map(([id, t]) => [id, t.phase]));

describe('control flow on the control plane', () => {
  it('switch: picks the branch its CEL names; the others are Skipped and the join runs', async () => {
    await env.createDag('release-route', docDag('control-flow.md', 'release-route'));
    await env.createInstance('route-prod', 'release-route', { env: 'prod' });
    await env.createInstance('route-qa', 'release-route', { env: 'qa' });
    const prod = await env.finished('route-prod');
    expect(prod.status?.phase).toBe('Succeeded');
    expect(phasesOf(prod.status?.tasks)).toEqual({
      plan: 'Succeeded',
      route: 'Succeeded',
      'deploy-prod': 'Succeeded',
      'verify-prod': 'Succeeded',
      'deploy-staging': 'Skipped',
      'deploy-dev': 'Skipped',
      announce: 'Succeeded',
    });
    expect(prod.status?.tasks?.['route']?.output).toEqual({
      selectedCase: 'prod',
      evaluationResult: 'prod',
    });
    expect(prod.status?.tasks?.['route']?.worker).toBeUndefined();
    const qa = await env.finished('route-qa');
    expect(qa.status?.tasks?.['route']?.output).toEqual({
      selectedCase: 'default',
      evaluationResult: 'qa',
    });
    expect(phasesOf(qa.status?.tasks)).toMatchObject({
      'deploy-dev': 'Succeeded',
      'deploy-prod': 'Skipped',
    });
  });

  it('terminate: ends the instance at once with its phase, reason and output; the sleeper is canceled', async () => {
    await env.createDag('stop-early', docDag('control-flow.md', 'stop-early'));
    await env.createInstance('stop-1', 'stop-early');
    const done = await env.finished('stop-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.message).toBe('terminated by task stop: Succeeded: nothing pending');
    expect(done.status?.output).toEqual({ pending: 0 });
    expect(done.status?.terminated).toMatchObject({ task: 'stop', phase: 'Succeeded' });
    expect(done.status?.conditions?.find((c) => c.type === 'Succeeded')?.reason).toBe('Terminated');
    expect(done.status?.tasks?.['watch']).toMatchObject({
      phase: 'Canceled',
      reason: 'Terminated',
    });
    // Ready in the pass that terminated: canceled with the rest, never run (it may have waited,
    // pre-assigned as a branch behind check on check's worker: docs/architecture.md).
    expect(done.status?.tasks?.['process']).toMatchObject({
      phase: 'Canceled',
      reason: 'Terminated',
    });
    expect(done.status?.tasks?.['process']?.startedAt).toBeUndefined();
  });

  it('setVars: later templates and preChecks read the new value, recorded in status.vars', async () => {
    await env.createDag('pick-region', docDag('control-flow.md', 'pick-region'));
    await env.createInstance('region-1', 'pick-region');
    const done = await env.finished('region-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.vars).toEqual({ region: 'eu-west' });
    expect(done.status?.tasks?.['deploy']).toMatchObject({
      phase: 'Succeeded',
      output: { result: { target: 'eu-west' } },
    });
    // spec.vars is untouched.
    expect(done.spec.vars).toBeUndefined();
  });

  it('optional: its failure lets the rest run; the instance succeeds and names it', async () => {
    await env.createDag('best-effort', docDag('control-flow.md', 'best-effort'));
    await env.createInstance('best-1', 'best-effort');
    const done = await env.finished('best-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(phasesOf(done.status?.tasks)).toEqual({ lint: 'Failed', ship: 'Succeeded' });
    expect(done.status?.message).toMatch(
      /^all 2 tasks finished; optional tasks failed: task lint failed: /,
    );
    expect(done.status?.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'True',
      reason: 'OptionalTasksFailed',
    });
  });

  it('examples/control-flow (every type in one Dag, run by the demo) runs to the end', async () => {
    const applied = await env.kubectl([
      'apply',
      '-n',
      env.namespace,
      '-f',
      'examples/control-flow/',
    ]);
    expect(applied.stderr).toBe('');
    const done = await env.finished('control-flow-run-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.message).toBe('terminated by task finish: Succeeded: released');
    expect(done.status?.output).toEqual({ region: 'eu-west' });
    expect(phasesOf(done.status?.tasks)).toEqual({
      plan: 'Succeeded',
      lint: 'Failed',
      'set-region': 'Succeeded',
      route: 'Succeeded',
      'deploy-prod': 'Succeeded',
      deploy: 'Skipped',
      finish: 'Succeeded',
    });
    expect(done.status?.tasks?.['deploy-prod']?.params).toEqual({ region: 'eu-west' });
  });
});

describe('refused system task specs', () => {
  it('kubectl apply refuses an action task without actionName', async () => {
    const res = await env.kubectl(
      ['apply', '-n', env.namespace, '-f', '-'],
      'apiVersion: fastflow.io/v1alpha1\nkind: Dag\nmetadata: {name: no-action}\nspec:\n  tasks:\n    - id: a\n    - {id: b, type: terminate, terminate: {phase: Failed}}\n',
    );
    expect(res.code).not.toBe(0);
    // The list of system types grows with TASK_TYPES: the message is the one constant.
    expect(res.stderr).toContain(`spec.tasks[0].actionName (task a): ${ACTION_NAME_REQUIRED}`);
    expect(ACTION_NAME_REQUIRED).toMatch(
      /says its type \(switch, terminate, setVars, wait, approval, loop, subDag\)/,
    );
  });

  it('a bad CEL expression or an unknown branch task: VALID False with the path, and an instance fails', async () => {
    await env.createDag('bad-switch', {
      tasks: [
        { id: 'a', actionName: 'print' },
        {
          id: 'sw',
          type: 'switch',
          dependOn: ['a'],
          switch: { expression: 'vars.env ==', cases: { prod: ['ghost'] } },
        },
      ],
    });
    const status = await env.dagStatus('bad-switch');
    expect(status).toMatchObject({ valid: false });
    expect(status['message']).toBe(
      'spec.tasks[1].switch.expression: vars.env ==: Unexpected token: EOF; ' +
        'spec.tasks[1].switch.cases.prod[0]: switch "sw" lists "ghost", which is not a task of this Dag',
    );
    await env.createInstance('bad-switch-1', 'bad-switch');
    const failed = await env.finished('bad-switch-1');
    expect(failed.status?.phase).toBe('Failed');
    expect(failed.status?.message).toContain('spec.tasks[1].switch.expression');
  });

  it('kubectl fastflow lint says the same before it is applied', async () => {
    const file = join(home, 'bad-switch.yaml');
    writeFileSync(
      file,
      'apiVersion: fastflow.io/v1alpha1\nkind: Dag\nmetadata: {name: bad}\nspec:\n  tasks:\n    - {id: a, actionName: print}\n    - id: sw\n      type: switch\n      dependOn: [a]\n      switch: {expression: "env == 1", cases: {x: [a]}}\n',
    );
    const res = await plugin(['lint', file], { KUBECONFIG: undefined });
    expect(res.code).toBe(1);
    expect(res.stdout + res.stderr).toContain('spec.tasks[1].switch.expression');
    expect(res.stdout + res.stderr).toContain('Unknown variable: env');
    expect(res.stdout + res.stderr).toContain(
      'task "a" is in a branch of switch "sw": it must depend on it',
    );
  });
});
