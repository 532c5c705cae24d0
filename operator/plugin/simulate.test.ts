import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPluginCaptured } from '../../test/support/plugin-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubectl-fastflow-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RELEASE = `apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata: { name: release }
spec:
  vars:
    env: { defaultValue: staging }
  tasks:
    - { id: build, actionName: print, retry: { limit: 2 } }
    - { id: test, actionName: print, dependOn: [build] }
    - { id: lint, actionName: print, dependOn: [build] }
    - id: gate
      type: approval
      dependOn: [test, lint]
    - id: deploy
      actionName: print
      dependOn: [gate]
      preCheck:
        - { act: skip, conditions: [{ source: vars, key: env, op: eq, values: [staging] }] }
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(args: string[]) {
  return runPluginCaptured(args, { env: { HOME: dir } });
}

describe('kubectl fastflow simulate', () => {
  const release = file('release.yaml', RELEASE);

  it('prints the passes, the tasks at the end and the phase; exit 0 when it would succeed', async () => {
    const r = await run(['simulate', release, '--var', 'env=prod', '--fail', 'build:1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('1      +0s    build    starts');
    expect(r.stdout).toMatch(/build +fails: failed by --fail build:1 \(its first attempt\)/);
    expect(r.stdout).toMatch(/test +starts\n +lint +starts/);
    expect(r.stdout).toMatch(/gate +decided: approved by simulate/);
    expect(r.stdout).toMatch(/deploy +Succeeded +1/);
    expect(lines.at(-2)).toBe('Succeeded: all 5 tasks succeeded');
  });

  it('prints JSON with -o json, with the tasks that start together in each pass', async () => {
    const r = await run(['simulate', release, '-o', 'json', '--reject', 'gate']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      phase: string;
      steps: { started: string[] }[];
      tasks: { task: string; phase: string }[];
    };
    expect(out.phase).toBe('Failed');
    expect(out.steps.map((s) => s.started).filter((s) => s.length > 0)).toEqual([
      ['build'],
      ['test', 'lint'],
    ]);
    expect(out.tasks.find((t) => t.task === 'deploy')).toMatchObject({
      phase: 'NotRun',
      note: 'after gate Failed',
    });
  });

  it('takes a mocked output, and a wait signal payload, as JSON', async () => {
    const dag = file(
      'route.yaml',
      `tasks:
  - { id: plan, actionName: transform }
  - id: route
    type: switch
    dependOn: [plan]
    switch: { expression: 'tasks.plan.output.n > 2 ? "big" : "small"', cases: { big: [big] }, default: [small] }
  - { id: big, actionName: print, dependOn: [route] }
  - { id: small, actionName: print, dependOn: [route] }
`,
    );
    const r = await run(['simulate', dag, '--output', 'plan={"n":3}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/small +Skipped/);
    expect(r.stdout).toMatch(/big +Succeeded/);
  });

  it.each([
    [
      ['--fail', 'nope'],
      '--fail nope: the Dag has no task "nope" (tasks: build, test, lint, gate, deploy)',
    ],
    [['--fail', 'build:0'], '--fail build:0: expected TASK or TASK:N (N ≥ 1)'],
    [
      ['--output', 'build={'],
      `--output build={: the value after "=" is not JSON (quote a string: TASK='"text"')`,
    ],
    [['-o', 'yaml'], '--output yaml: expected json, table, or TASK=JSON (a mocked output)'],
    [['--reject', 'build'], '--reject build: task "build" is not an approval task'],
    [['--var', 'nope=1'], 'spec.vars: "nope" not declared by the Dag (declared: env)'],
    [['--dag', 'other'], '--dag other: the file holds no such Dag (Dags: release)'],
  ])('refuses %j, saying why', async (flags, message) => {
    const r = await run(['simulate', release, ...flags]);
    expect(r.stderr).toBe(`error: ${message}\n`);
    expect(r.code).toBe(flags[0] === '--var' ? 1 : 2);
  });

  it('asks which Dag when the file holds several', async () => {
    const two = file(
      'two.yaml',
      `${RELEASE}---\n${RELEASE.replace('name: release', 'name: other')}`,
    );
    const r = await run(['simulate', two]);
    expect(r.stderr).toBe(
      'error: the file holds 2 Dags (release, other): pick one with --dag NAME\n',
    );
    expect(r.code).toBe(2);
    expect((await run(['simulate', two, '--dag', 'other'])).code).toBe(0);
  });

  it("shows lint's problems for a Dag that would not be accepted", async () => {
    const bad = file('bad.yaml', 'tasks:\n  - { id: a, actionName: print, dependOn: [b] }\n');
    const r = await run(['simulate', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tasks[0].dependOn[0]');
    expect(r.stderr).toContain(`error: ${bad}: fix the problems above to simulate it`);
    expect((await run(['simulate', join(dir, 'missing.yaml')])).stderr).toContain('no such file');
  });
});
