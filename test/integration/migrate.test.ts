/**
 * `fastflow migrate` end to end: a folder of fastflow's own examples (the
 * README seed, verbatim but for their ids: every example says
 * `id: "test-dag"`, so all but one take their id from the file name, as
 * ReadDagFromDir does when the id is absent) is converted, applied into a
 * namespace with a running operator and worker, and every Dag that converted
 * runs to Succeeded with fastflow's `PrintAction`.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastflowClient } from '../../actions-runtime/index.ts';
import { createTestNamespace, testKubeConfig } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { migrate } from '../support/migrate-cli.ts';

const printAction = fileURLToPath(new URL('../support/actions/print-action.ts', import.meta.url));
const fixture = readFileSync(
  new URL('../fixtures/fastflow-seed-dag.yaml', import.meta.url),
  'utf8',
);

/** fastflow's README examples, as its users have them on disk. */
const SEED_FILES: Record<string, string> = {
  // "GetStart": the quick start's test-dag.yaml.
  'test-dag.yaml': readFileSync(
    new URL('../fixtures/fastflow-quick-start.yaml', import.meta.url),
    'utf8',
  ),
  // "Dag": the YAML of the programmatic example, with its broken `id: ["task2"]`.
  'programmatic.yaml': `name: "test"
tasks:
- id: "task1"
  actionName: "PrintAction"
- id: ["task2"]
  actionName: "PrintAction"
  dependOn: ["task1"]
- id: "task3"
  actionName: "PrintAction"
  dependOn: ["task2"]
`,
  // "Dag": vars consumed by params.
  'file_vars.yaml': `name: "test"
vars:
  fileName:
    desc: "the file name"
    defaultValue: "file.txt"
  filePath:
    desc: "the file path"
    defaultValue: "/tmp/"
tasks:
- id: "task1"
  actionName: "PrintAction"
  params:
    writeName: "{{fileName}}"
    writePath: "{{filePath}}"
`,
  // "Task": preCheck as a list (fastflow itself could not load this shape).
  'precheck.yml': `name: "test"
vars:
  fileName:
    desc: "the file name"
    defaultValue: "file.txt"
tasks:
- id: "task1"
  actionName: "PrintAction"
  preCheck:
  - act: skip #you can set "skip" or "block"
    conditions:
    - source: vars # source could be "vars" or "share-data"
      key: "fileName"
      op: "in"
      values: ["warn.txt", "error.txt"]
`,
  // "使用Dag变量": vars only, no tasks.
  'vars-only.yaml': `name: "test"
vars:
  fileName:
    desc: "the file name"
    defaultValue: "file.txt"
`,
  // "带参数的Action": \`action:\` instead of \`actionName:\`.
  'action-with-params.yaml': `name: "test"
vars:
  fileName:
    desc: "the file name"
    defaultValue: "file.txt"
tasks:
- id: "task1"
  action: "PrintAction"
  params:
    # using {{var}} to consume dag's variable
    fileName: "{{fileName}}"
`,
  // The shared fixture: both preCheck shapes, a share-data check.
  'seed/FastFlow_Seed.yaml': fixture.replace(/^id: .*\n/m, ''),
  // Two mistakes of our own making.
  'cycle.yaml': `tasks:
- {id: a, actionName: PrintAction, dependOn: [b]}
- {id: b, actionName: PrintAction, dependOn: [a]}
`,
  'broken.yaml': 'tasks:\n  - id: [task1\n  actionName: PrintAction\n',
};

const CONVERTIBLE = ['test-dag', 'file-vars', 'precheck', 'fastflow-seed'];

let env: FastflowEnv;
let client: FastflowClient;
const dir = mkdtempSync(join(tmpdir(), 'fastflow-seed-'));

beforeAll(async () => {
  for (const [path, text] of Object.entries(SEED_FILES)) {
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  }
  env = new FastflowEnv(await createTestNamespace('migrate'));
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [printAction] });
  client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
});
afterAll(async () => env.stop());

describe('fastflow migrate', () => {
  it('prints manifests the API server accepts, and reports what it could not convert', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fastflow-out-')), 'dags.yaml');
    const r = await migrate([dir, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('ok      test-dag.yaml -> Dag test-dag\n');
    expect(r.stderr).toContain('ok      seed/FastFlow_Seed.yaml -> Dag fastflow-seed\n');
    expect(r.stderr).toContain(
      '  note  seed/FastFlow_Seed.yaml: id: "FastFlow_Seed" is not a valid Kubernetes name: the Dag is named "fastflow-seed"',
    );
    expect(r.stderr).toContain(
      '  error programmatic.yaml: tasks[1].id: expected string, received array: a one-item list; write id: "task2"\n',
    );
    expect(r.stderr).toContain(
      '  error action-with-params.yaml: tasks[0].action: unknown field (fastflow ignored it silently: the task failed with "action not found" at run time); did you mean actionName?\n',
    );
    expect(r.stderr).toContain('  error vars-only.yaml: tasks: required, but missing\n');
    expect(r.stderr).toContain('  error cycle.yaml: tasks: tasks form a cycle: a -> b -> a\n');
    expect(r.stderr).toMatch(/ {2}error broken\.yaml: YAML syntax error: .* at line 3, column 3\n/);
    expect(r.stderr).toContain('fastflow migrate: 4 of 9 files converted, 5 failed\n');

    const dryRun = await env.kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      readFileSync(out, 'utf8'),
    );
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout.trim().split('\n')).toHaveLength(CONVERTIBLE.length);
  });

  it('applies the convertible Dags, each valid and runnable to Succeeded', async () => {
    const r = await migrate([dir, '--apply', '--namespace', env.namespace]);
    expect(r.code).toBe(1); // the five files above still fail
    for (const name of CONVERTIBLE) {
      expect(r.stderr).toContain(`applied Dag ${env.namespace}/${name} (from `);
    }
    expect(r.stderr).toContain(
      `fastflow migrate: 4 of 9 files converted, 5 failed, 4 applied to "${env.namespace}"\n`,
    );

    // Applying again is an update, not an error.
    const again = await migrate([dir, '--apply', '--namespace', env.namespace]);
    expect(again.stderr).not.toContain('refused by the API server');

    const dags = await env.kubectl(['get', 'dag', '-o', 'name']);
    expect(dags.stdout.trim().split('\n').sort()).toEqual(
      CONVERTIBLE.map((n) => `dag.fastflow.io/${n}`).sort(),
    );
    const runs = await Promise.all(CONVERTIBLE.map((dag) => client.runDag(dag)));
    const done = await Promise.all(runs.map((name) => client.waitFor(name, { timeoutMs: 60_000 })));
    for (const instance of done) {
      expect(
        { dag: instance.spec.dagRef.name, phase: instance.status?.phase },
        instance.status?.message,
      ).toEqual({ dag: instance.spec.dagRef.name, phase: 'Succeeded' });
    }
    const vars = done.find((i) => i.spec.dagRef.name === 'file-vars');
    expect(vars?.status?.tasks?.['task1']?.phase).toBe('Succeeded');
    const seed = await env.getDag('fastflow-seed');
    expect(seed['spec']).toMatchObject({ id: 'FastFlow_Seed', name: 'test' });
    expect((seed['metadata'] as { annotations: Record<string, string> }).annotations).toEqual(
      expect.objectContaining({ 'fastflow.io/migrated-from': 'seed/FastFlow_Seed.yaml' }),
    );
  });
});

/** Fenced blocks of a Markdown file: the info string after the backticks, and the body. */
function fencedBlocks(markdown: string): { info: string; body: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: (m[1] ?? '').trim(),
    body: m[2] ?? '',
  }));
}

describe('docs/migration.md', () => {
  it('runs its examples exactly as written, output included', async () => {
    const doc = readFileSync(new URL('../../docs/migration.md', import.meta.url), 'utf8');
    const blocks = fencedBlocks(doc);
    const work = mkdtempSync(join(tmpdir(), 'fastflow-doc-'));
    const files = blocks.filter((b) => b.info.startsWith('yaml file='));
    expect(files.map((b) => b.info)).toEqual([
      'yaml file=dags/test-dag.yaml',
      'yaml file=dags/Nightly_Report.yml',
      'yaml file=dags/deploy.yaml',
    ]);
    for (const b of files) {
      const path = join(work, b.info.slice('yaml file='.length));
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, b.body);
    }
    const sessions = blocks.filter(
      (b) =>
        b.info === 'console' &&
        b.body.startsWith('$ fastflow migrate') &&
        !b.body.includes('--from conductor'),
    );
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      // The documented namespace is team-a; here it is the test's.
      const text = session.body.replaceAll('team-a', env.namespace);
      const [command = '', ...output] = text.trimEnd().split('\n');
      const args = command.replace('$ fastflow migrate ', '').split(' ');
      const r = await migrate(args, work);
      expect(r.stderr).toBe(`${output.join('\n')}\n`);
      expect(r.code).toBe(1); // deploy.yaml fails, on purpose
    }
    const written = blocks.find((b) => b.info === 'yaml output=dags.yaml');
    expect(readFileSync(join(work, 'dags.yaml'), 'utf8')).toBe(written?.body);
  });
});

describe('docs/migration.md, Coming from Conductor', () => {
  it('converts its Conductor flow exactly as written, output included', async () => {
    const doc = readFileSync(new URL('../../docs/migration.md', import.meta.url), 'utf8');
    const blocks = fencedBlocks(doc);
    const work = mkdtempSync(join(tmpdir(), 'fastflow-doc-conductor-'));
    const files = blocks.filter((b) => b.info.startsWith('json file='));
    expect(files.map((b) => b.info)).toEqual(['json file=conductor/order_flow.json']);
    for (const b of files) {
      const path = join(work, b.info.slice('json file='.length));
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, b.body);
    }
    const [session] = blocks.filter(
      (b) => b.info === 'console' && b.body.startsWith('$ fastflow migrate --from conductor'),
    );
    const [command = '', ...output] = (session?.body ?? '').trimEnd().split('\n');
    const r = await migrate(command.replace('$ fastflow migrate ', '').split(' '), work);
    expect(r.stderr).toBe(`${output.join('\n')}\n`);
    expect(r.code).toBe(0);
    const written = blocks.find((b) => b.info === 'yaml output=order-flow.yaml');
    expect(readFileSync(join(work, 'order-flow.yaml'), 'utf8')).toBe(written?.body);
    // The Dag is one the API server accepts as it is.
    const dryRun = await env.kubectl(['apply', '--dry-run=server', '-f', '-'], written?.body ?? '');
    expect(dryRun.stderr).toBe('');
    expect(dryRun.code).toBe(0);
  });
});
