/**
 * The plugin run in-process with a fake terminal: everything that needs no
 * cluster (usage errors, lint, the messages when no cluster can be reached).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePaint } from './color.ts';
import { describeError, networkProblem, PluginError } from './errors.ts';
import type { IO } from './io.ts';
import { runPlugin } from './program.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubectl-fastflow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    isTTY: false,
    columns: 0,
    paint: makePaint(false),
    errPaint: makePaint(false),
    env: { HOME: dir, ...env },
    now: () => new Date('2025-01-01T00:00:00Z'),
  };
  const code = await runPlugin(
    args,
    io,
    stdin === undefined ? undefined : () => Promise.resolve(stdin),
  );
  return { code, stdout, stderr };
}

function kubeconfig(server: string, namespace?: string): string {
  const file = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}" } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: ctx, context: { cluster: c, user: u${namespace ? `, namespace: ${namespace}` : ''} } }]
current-context: ctx
`,
  );
  return file;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('kubectl fastflow, no cluster needed', () => {
  it('help exits 0; no command, an unknown command or flag, a missing argument exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: kubectl fastflow [options] [command]');
    const ops = ['cancel', 'retry', 'continue', 'skip', 'rerun', 'restart', 'pause', 'resume'];
    for (const name of ['run', 'get', 'tree', 'logs', ...ops, 'lint', 'ui']) {
      expect(help.stdout).toContain(`  ${name} `);
    }
    expect((await run([])).code).toBe(2);
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    const flag = await run(['get', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("error: unknown option '--bogus'");
    const missing = await run(['tree']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: missing required argument 'instance'");
    // skip and rerun need their tasks; pause takes none; --var is rerun's only.
    expect((await run(['skip', 'i1'])).stderr).toContain("missing required argument 'task'");
    expect((await run(['rerun', 'i1'])).stderr).toContain("missing required argument 'task'");
    expect((await run(['pause', 'i1', 'a'])).code).toBe(2);
    expect((await run(['retry', 'i1', '--var', 'a=b'])).stderr).toContain("unknown option '--var'");
  });

  it('a malformed --var or name is a usage error, found before any cluster is needed', async () => {
    const bad = await run(['run', 'chain', '--var', 'nokey']);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe(
      'error: --var "nokey": expected KEY=VALUE, e.g. --var fileName=demo.txt\n',
    );
    const name = await run(['get', 'Not_A_Name']);
    expect(name.code).toBe(2);
    expect(name.stderr).toBe(
      'error: instance name "Not_A_Name" is not a valid name: must be a lowercase DNS-1123 name\n',
    );
    const port = await run(['ui', '--port', 'http']);
    expect(port).toMatchObject({ code: 2, stdout: '' });
    expect(port.stderr).toBe('error: --port must be a port number (0-65535), not "http"\n');
    const task = await run(['cancel', 'x', 'bad task']);
    expect(task.code).toBe(2);
    expect(task.stderr).toBe('error: "bad task": not a task id\n');
  });

  it('without a kubeconfig, says how to point at a cluster', async () => {
    const r = await run(['get']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or create ~\/\.kube\/config/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const missing = await run(['get', '--kubeconfig', join(dir, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: cannot load kubeconfig ${join(dir, 'nope')}`);
  });

  it('when the API server refuses connections, names the address it tried', async () => {
    const server = `https://127.0.0.1:${await closedPort()}`;
    const r = await run(['get', 'x'], { KUBECONFIG: kubeconfig(server) });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot reach the Kubernetes API server at ${server}: connection refused ` +
        '(is the cluster running, and is --kubeconfig / KUBECONFIG the right one?)\n',
    );
  });

  it('refuses an unknown --context, listing the known ones', async () => {
    const r = await run(['get', '--context', 'nope'], { KUBECONFIG: kubeconfig('https://x') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: context "nope" not found in the kubeconfig (contexts: ctx)\n');
  });

  it('lints a file and stdin; exit 1 with every problem', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'tasks:\n  - { id: a, actionName: print }\n');
    expect(await run(['lint', good])).toEqual({
      code: 0,
      stdout: `${good}: ok: Dag (bare fastflow body) with 1 task\n`,
      stderr: '',
    });
    const bad = await run(
      ['lint', '-'],
      {},
      'tasks:\n  - { id: a, actionName: print, dependOn: [b] }\n',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      '<stdin>:2:44: tasks[0].dependOn[0]: task "a" depends on "b", which is not a task of this Dag\n' +
        '<stdin>: 1 problem\n',
    );
    const none = await run(['lint', join(dir, 'missing.yaml')]);
    expect(none).toMatchObject({
      code: 1,
      stderr: `error: cannot read ${join(dir, 'missing.yaml')}: no such file\n`,
    });
  });
});

describe('error messages', () => {
  it('maps network failures to words', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    });
    expect(networkProblem(refused)).toBe('connection refused');
    const dns = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }),
    });
    expect(describeError(dns, 'https://x:6443').message).toMatch(
      /^cannot reach the Kubernetes API server at https:\/\/x:6443: host not found/,
    );
    expect(networkProblem(new Error('other'))).toBeUndefined();
  });

  it('keeps exit codes and never shows a stack', () => {
    expect(describeError(new PluginError('x', 130))).toEqual({ message: 'x', exitCode: 130 });
    expect(describeError(new Error('plain'))).toEqual({ message: 'plain', exitCode: 1 });
    expect(describeError('odd')).toEqual({ message: 'odd', exitCode: 1 });
  });
});
