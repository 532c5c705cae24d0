/**
 * The installable package (README "Depending on fastflow"): `npm pack`, then a
 * fresh project installs the tarball, type-checks a worker against the
 * published .d.ts, compiles it and runs it from there against the cluster to
 * the end of a Dag; the packed CLI and kubectl plugin run from node_modules/.bin.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnFastflow, type FastflowProcess } from '../local-cluster/fastflow-process.ts';
import { createTestNamespace, testKubeconfigPath } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { packRepository, sh, tsc, userProject, type Packed } from '../support/packed-project.ts';

// A user's worker: one action, built with the published SDK and its types.
const WORKER = `import { z } from 'zod';
import { defineAction } from 'fastflow';
import { runWorker } from 'fastflow/actions-runtime';

export const Greet = defineAction({
  name: 'Greet',
  params: z.object({ who: z.string() }),
  run(ctx, params) {
    // @ts-expect-error: the published types make \`who\` a string, so this must not type-check
    params.who satisfies number;
    ctx.trace(\`greeting \${params.who}\`);
    return { greeting: \`hello \${params.who}\` };
  },
});

await runWorker({ actions: [Greet] });
`;

// What \`tsc --init\` would give a Node project, minus skipLibCheck: the published
// .d.ts are checked too.
const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    strict: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'build',
  },
  include: ['src'],
});

let packed: Packed;
let project: string;
let env: FastflowEnv;
let worker: FastflowProcess | undefined;

beforeAll(async () => {
  packed = await packRepository();
  project = await userProject(packed.tarball, {
    'src/worker.ts': WORKER,
    'tsconfig.json': TSCONFIG,
  });
  env = new FastflowEnv(await createTestNamespace('package'));
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await worker?.exited;
  await env.stop();
  for (const dir of [project, dirname(packed.tarball)])
    rmSync(dir, { recursive: true, force: true });
});

describe('the packed fastflow package', () => {
  it('holds the compiled runtime and its types, never tests or sources', () => {
    // The web view's page is sent as it is: HTML and CSS beside its modules.
    const page = /^dist\/operator\/web\/static\/[\w-]+\.(html|css|js)$/;
    const outside = packed.files.filter(
      (f) => !/^dist\/(operator|actions-runtime)\/.+\.(js|d\.ts)$/.test(f) && !page.test(f),
    );
    expect(outside.sort()).toEqual(['README.md', 'package.json']);
    expect(packed.files.filter((f) => f.includes('.test.'))).toEqual([]);
    expect(packed.files).toContain('dist/actions-runtime/index.d.ts');
    expect(packed.files).toContain('dist/operator/web/static/index.html');
  });

  it('runs its CLI and kubectl plugin from node_modules/.bin', async () => {
    const bin = join(project, 'node_modules', '.bin');
    const cli = await sh(project, join(bin, 'fastflow'), ['--help']);
    expect(cli.stdout).toMatch(/^Usage: fastflow /);
    expect(cli.stdout).toContain('worker [options]');
    const plugin = await sh(project, join(bin, 'kubectl-fastflow'), ['--help']);
    expect(plugin.stdout).toMatch(/^Usage: kubectl fastflow /);
  });

  it('type-checks a worker against the published types and runs it to the end of a Dag', async () => {
    await tsc(project);
    env.startOperator('operator');
    worker = spawnFastflow([join(project, 'build', 'worker.js')], {
      kubeconfig: testKubeconfigPath(),
      namespace: env.namespace,
      logFile: join(env.logs, 'packed-worker.log'),
      env: { FASTFLOW_NAME: 'packed' },
    });
    await env.createDag('hello', {
      tasks: [
        { id: 'greet', actionName: 'Greet', params: { who: 'package' } },
        {
          id: 'echo',
          actionName: 'print',
          dependOn: ['greet'],
          params: { said: '{{tasks.greet.output.greeting}}' },
        },
      ],
    });
    await env.createInstance('hello-1', 'hello');
    const done = await env.finished('hello-1');
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['greet']?.output).toEqual({ greeting: 'hello package' });
    expect(done.status?.tasks?.['greet']?.worker).toMatch(/^packed-/);

    // The packed plugin reads it back from the cluster.
    const get = await sh(project, join(project, 'node_modules', '.bin', 'kubectl-fastflow'), [
      'get',
      'hello-1',
      '-n',
      env.namespace,
      '--kubeconfig',
      testKubeconfigPath(),
    ]);
    expect(get.stdout).toContain('Succeeded');
  });
});
