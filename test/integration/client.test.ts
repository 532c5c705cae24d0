import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FastflowClient,
  FastflowClientError,
  type InstanceTransition,
} from '../../actions-runtime/index.ts';
import { createTestNamespace, testKubeConfig, testKubeconfigPath } from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { GATE, SHAKY, napping } from '../support/dags.ts';

const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
const printChain = fileURLToPath(new URL('../../examples/print-chain/', import.meta.url));
let env: FastflowEnv;
let client: FastflowClient;

beforeAll(async () => {
  env = new FastflowEnv(await createTestNamespace('client'));
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [flaky, join(printChain, 'worker.ts')] });
  client = new FastflowClient(testKubeConfig(), { namespace: env.namespace });
  await env.createDag('chain', {
    vars: { who: { defaultValue: 'world' } },
    tasks: [
      { id: 'hello', actionName: 'print', params: { greet: '{{who}}' } },
      { id: 'bye', actionName: 'print', dependOn: ['hello'] },
    ],
  });
  await env.createDag('sleepy', napping(30));
  await env.createDag('shaky', SHAKY);
  await env.createDag('gate', GATE);
});
afterAll(async () => env.stop());

async function refusal(p: Promise<unknown>): Promise<FastflowClientError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FastflowClientError);
  return e as FastflowClientError;
}

describe('FastflowClient', () => {
  it('runs a Dag with vars and waits for the end (and onTransition sees it)', async () => {
    const seen: InstanceTransition[] = [];
    const sub = client.onTransition(env.namespace, (t) => {
      if (t.instance.spec.dagRef.name === 'chain') seen.push(t);
    });
    await sub.ready;
    try {
      const name = await client.runDag('chain', { who: 'fastflow' });
      expect(name).toMatch(/^chain-[a-z0-9]{5}$/);
      const done = await client.waitFor(name, { timeoutMs: 30_000 });
      expect(done.metadata.name).toBe(name);
      expect(done.status?.phase).toBe('Succeeded');
      expect(done.status?.tasks?.['bye']?.phase).toBe('Succeeded');
      expect((await client.get(name)).spec.vars).toEqual({ who: 'fastflow' });

      await expect
        .poll(() => seen.flatMap((t) => t.hooks), { timeout: 5000 })
        .toContain('BeforeSuccess');
      const hooks = seen.flatMap((t) => t.hooks);
      expect(hooks.at(-1)).toBe('BeforeSuccess');
      // Pending -> Running may be collapsed into one observation; the end never is.
      expect(seen.at(-1)).toMatchObject({ to: 'Succeeded' });
      const taskChanges = seen.flatMap((t) => t.tasks.map((c) => `${c.task}:${c.to}`));
      expect(taskChanges).toContain('bye:Succeeded');
    } finally {
      sub.close();
    }
  });

  it('refuses a missing Dag or an undeclared var before creating anything', async () => {
    const before = await env.kubectl(['get', 'dagi', '-o', 'name']);
    const missing = await refusal(client.runDag('no-such-dag'));
    expect(missing.reason).toBe('NotFound');
    expect(missing.message).toBe(`Dag "no-such-dag" not found in namespace "${env.namespace}"`);
    const vars = await refusal(client.runDag('chain', { whom: 'x' }));
    expect(vars.message).toContain('"whom" not declared by the Dag (declared: who)');
    const after = await env.kubectl(['get', 'dagi', '-o', 'name']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('names an unknown instance', async () => {
    const e = await refusal(client.cancel('ghost-1'));
    expect(e.reason).toBe('NotFound');
    expect(e.message).toBe(`DagInstance "ghost-1" in namespace "${env.namespace}" not found`);
    await expect(client.waitFor('ghost-1')).rejects.toThrow(/"ghost-1" .* not found/);
  });

  it('cancels a running instance and returns the operator record', async () => {
    const name = await client.runDag('sleepy', {}, { name: 'sleepy-1' });
    await env.waitForInstance(name, (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    const record = await client.cancel(name);
    expect(record).toMatchObject({ result: 'Applied', message: 'cancel: nap, after' });
    const done = await client.waitFor(name, { timeoutMs: 10_000 });
    expect(done.status?.phase).toBe('Canceled');
    // A second cancel is refused by the operator: the error carries its message.
    const again = await refusal(client.cancel(name));
    expect(again.reason).toBe('Refused');
    expect(again.message).toBe('cancel: every task has already finished');
    expect(again.record?.result).toBe('Refused');
  });

  it('retries failed tasks, refusing a retry of a task that has not failed', async () => {
    const name = await client.runDag('shaky');
    const failed = await client.waitFor(name, { timeoutMs: 30_000 });
    expect(failed.status?.phase).toBe('Failed');
    const wrong = await refusal(client.retry(name, ['after']));
    expect(wrong.message).toContain(
      'only failed or canceled tasks can be retried (after is Pending)',
    );
    const unknown = await refusal(client.retry(name, ['nope']));
    expect(unknown.message).toBe('retry: no task nope in this Dag');
    expect(await client.retry(name, ['shaky'])).toMatchObject({
      result: 'Applied',
      message: 'retry: shaky',
    });
    const done = await client.waitFor(name, { timeoutMs: 30_000 });
    expect(done.status?.phase).toBe('Succeeded');
    expect(done.status?.tasks?.['shaky']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
  });

  it('continues a blocked instance; onTransition reports BeforeBlock and BeforeContinue', async () => {
    const seen: InstanceTransition[] = [];
    const sub = client.onTransition(env.namespace, (t) => {
      if (t.instance.spec.dagRef.name === 'gate') seen.push(t);
    });
    await sub.ready;
    try {
      const name = await client.runDag('gate');
      await env.waitForInstance(name, (i) => i.status?.phase === 'Blocked');
      const record = await client.continue(name);
      expect(record).toMatchObject({ result: 'Applied', message: 'continue: deploy' });
      const done = await client.waitFor(name, { timeoutMs: 30_000 });
      expect(done.status?.phase).toBe('Succeeded');
      await expect
        .poll(() => seen.flatMap((t) => t.hooks), { timeout: 5000 })
        .toEqual(expect.arrayContaining(['BeforeBlock', 'BeforeContinue', 'BeforeSuccess']));
      const hooks = seen.flatMap((t) => t.hooks).filter((h) => h !== 'BeforeRun');
      expect(hooks).toEqual(['BeforeBlock', 'BeforeContinue', 'BeforeSuccess']);
    } finally {
      sub.close();
    }
  });

  it('retries a handler that throws: at least once per observed change', async () => {
    const calls: string[] = [];
    const sub = client.onTransition(env.namespace, (t) => {
      if (t.instance.spec.dagRef.name !== 'chain' || t.to !== 'Succeeded') return;
      calls.push(t.to);
      if (calls.length === 1) throw new Error('handler hiccup');
    });
    await sub.ready;
    try {
      const name = await client.runDag('chain');
      await client.waitFor(name, { timeoutMs: 30_000 });
      await expect.poll(() => calls.length, { timeout: 5000 }).toBe(2);
    } finally {
      sub.close();
    }
  });

  it('waitFor honours its timeout and signal', async () => {
    const name = await client.runDag('sleepy');
    await expect(client.waitFor(name, { timeoutMs: 300 })).rejects.toThrow(
      /did not finish within 300 ms/,
    );
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('caller gave up')), 200);
    await expect(client.waitFor(name, { signal: ac.signal })).rejects.toThrow('caller gave up');
    await client.cancel(name);
  });

  it('says the operator did not act when none runs', async () => {
    const lonely = await createTestNamespace('client-no-operator');
    const noOperator = new FastflowClient(testKubeConfig(), {
      namespace: lonely,
      operationTimeoutMs: 1000,
    });
    await testEnvCreate(lonely);
    const e = await refusal(noOperator.cancel('orphan-1'));
    expect(e.reason).toBe('Timeout');
    expect(e.message).toMatch(
      /the operator did not act on fastflow.io\/cancel=\w+ of DagInstance "orphan-1" .* within 1000 ms: is the fastflow operator running/,
    );
    // wait: false returns the value at once.
    const lonelyEnv = new FastflowEnv(lonely);
    await expect(noOperator.retry('orphan-1', [], { wait: false })).resolves.toMatch(/^\w+$/);
    expect(
      (await lonelyEnv.getInstance('orphan-1')).metadata.annotations?.['fastflow.io/retry'],
    ).toBeDefined();
  });
});

async function testEnvCreate(namespace: string): Promise<void> {
  const other = new FastflowEnv(namespace);
  await other.createDag('chain', { tasks: [{ id: 'a', actionName: 'print' }] });
  await other.createInstance('orphan-1', 'chain');
}

/** Fenced blocks of a Markdown file: the info string after the backticks, and the body. */
function fencedBlocks(markdown: string): { info: string; body: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    info: (m[1] ?? '').trim(),
    body: m[2] ?? '',
  }));
}

/** Runs a TypeScript program as a user would (`node example.ts`) against the test cluster. */
function runExample(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      {
        env: {
          ...process.env,
          KUBECONFIG: testKubeconfigPath(),
          FASTFLOW_NAMESPACE: env.namespace,
        },
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('docs/sdk-client.md', () => {
  const doc = readFileSync(new URL('../../docs/sdk-client.md', import.meta.url), 'utf8');
  const blocks = fencedBlocks(doc);
  // The examples import 'fastflow/actions-runtime', the package's own name; outside the
  // package that resolves only once installed, so the temp copies import the file itself.
  const sdk = new URL('../../actions-runtime/index.ts', import.meta.url).href;
  const dir = mkdtempSync(join(tmpdir(), 'fastflow-sdk-doc-'));
  const examples = blocks
    .filter((b) => b.info.startsWith('ts run='))
    .map((b) => ({ name: b.info.slice('ts run='.length), code: b.body }));

  it('has the examples this test knows', () => {
    expect(examples.map((e) => e.name)).toEqual(['run-and-wait', 'steer', 'hooks', 'mutex']);
  });

  it('applies its Dags', async () => {
    const dags = [
      readFileSync(join(printChain, 'dag.yaml'), 'utf8'),
      ...blocks.filter((b) => b.info === 'yaml apply').map((b) => b.body),
    ];
    for (const yaml of dags) {
      const r = await env.kubectl(['apply', '-f', '-'], yaml);
      expect(r.stderr).toBe('');
    }
  });

  const expected: Record<string, RegExp[]> = {
    'run-and-wait': [/^test-dag-[a-z0-9]{5}: Succeeded 3\/3$/m],
    steer: [/^cancel: nap, after$/m, /^Canceled$/m, /^cancel: every task has already finished$/m],
    hooks: [/: Pending -> Running \[BeforeRun\]/, /: Running -> Succeeded \[BeforeSuccess\]/],
    mutex: [/^deploying prod; stop if this aborts: false$/m],
  };
  for (const name of Object.keys(expected)) {
    it(`runs the ${name} example as written`, async () => {
      const example = examples.find((e) => e.name === name);
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, example?.code.replaceAll("'fastflow/actions-runtime'", `'${sdk}'`) ?? '');
      const r = await runExample(file);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      for (const re of expected[name] ?? []) expect(r.stdout).toMatch(re);
    });
  }
});
