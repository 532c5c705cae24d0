/**
 * `kubectl fastflow` as a user runs it: `node bin/kubectl-fastflow …` in a
 * child process (and once through kubectl's own plugin discovery), against
 * the local control plane with a real operator and worker, asserting what
 * the terminal shows: plain text when stdout is not a terminal, colour and
 * in-place redraws under a pseudo-terminal (`script`) or with FORCE_COLOR.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripColor } from '../../operator/plugin/color.ts';
import {
  createTestNamespace,
  testBinDir,
  testKubeConfig,
  testKubeconfigPath,
} from '../support/cluster.ts';
import { FastflowEnv } from '../support/fastflow-env.ts';
import { GATE, SHAKY, napping } from '../support/dags.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'kubectl-fastflow');
const flaky = fileURLToPath(new URL('../support/actions/flaky.ts', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'kubectl-fastflow-home-'));
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

let env: FastflowEnv;
let ns: string;

type Result = { code: number; stdout: string; stderr: string };

/**
 * Runs the plugin with a clean environment: an empty HOME, the test
 * cluster's kubeconfig (unless `env` says otherwise), no inherited colour
 * settings. Node 24 (this process's) first on PATH, as for a user.
 */
function plugin(args: string[], extra: Record<string, string | undefined> = {}): Promise<Result> {
  const vars: Record<string, string> = {
    PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
    HOME: home,
    KUBECONFIG: testKubeconfigPath(),
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete vars[k];
    else vars[k] = v;
  }
  return exec(process.execPath, [BIN, ...args], vars);
}

function exec(file: string, args: string[], vars: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: vars, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The plugin under a pseudo-terminal (`script`): what a user sees in a terminal, bytes as sent. */
function pluginInTerminal(args: string[]): Promise<Result> {
  const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  return exec('script', ['-qec', command, '/dev/null'], {
    PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter),
    HOME: home,
    KUBECONFIG: testKubeconfigPath(),
    TERM: 'xterm-256color',
  });
}

const lines = (text: string): string[] => text.replace(/\r/g, '').split('\n').slice(0, -1);

beforeAll(async () => {
  ns = await createTestNamespace('plugin');
  env = new FastflowEnv(ns);
  env.startOperator('operator-a');
  env.startWorker('worker', { actions: [flaky] });
  await env.createDag('diamond', {
    vars: { who: { defaultValue: 'world' } },
    tasks: [
      { id: 'a', actionName: 'print', params: { greet: '{{who}}' } },
      { id: 'b', actionName: 'print', dependOn: ['a'] },
      { id: 'c', actionName: 'print', dependOn: ['a'] },
      { id: 'd', actionName: 'print', dependOn: ['b', 'c'] },
    ],
  });
  await env.createDag('shaky', SHAKY);
  await env.createDag('nap', napping(60));
  await env.createDag('gate', GATE);
});
afterAll(async () => {
  await env.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('kubectl fastflow run --watch', () => {
  it('follows an instance to Succeeded, one plain line per change, exit 0', async () => {
    const r = await plugin([
      'run',
      'diamond',
      '-n',
      ns,
      '--var',
      'who=plugin',
      '--name',
      'dia-1',
      '-w',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('daginstance.fastflow.io/dia-1 created');
    expect(r.stdout).not.toContain('\x1b');
    const progress = out.slice(1, -1);
    for (const line of progress) {
      expect(line).toMatch(
        /^ *\+\S+ {2}(Pending|Running|Succeeded) +(-|\d\/4)( +(running|failed|waiting)\b.*)?$/,
      );
    }
    // Tasks this short may be seen only Scheduled or already done: the instance is seen Running.
    expect(progress.some((l) => /Running +\d\/4/.test(l))).toBe(true);
    expect(progress.at(-1)).toMatch(/Succeeded {2}4\/4$/);
    // One line per change: no line repeats the one before it.
    const states = progress.map((l) => l.replace(/^ *\+\S+/, ''));
    expect(states.filter((s, i) => s === states[i - 1])).toEqual([]);
    expect(out.at(-1)).toMatch(/^daginstance\/dia-1 Succeeded: 4\/4 tasks finished in \S+$/);
  });

  it('exits 1 when the instance fails, naming the failed task and what to do', async () => {
    const r = await plugin(['run', 'shaky', '-n', ns, '--name', 'shaky-1', '--watch']);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out.slice(-4)).toEqual([
      expect.stringMatching(/^daginstance\/shaky-1 Failed: 1\/2 tasks finished in \S+$/),
      '  shaky  Failed  ActionFailed: attempt 1 fails on purpose',
      '  traces: kubectl fastflow logs shaky-1 shaky',
      '  retry:  kubectl fastflow retry shaky-1',
    ]);
  });

  it.skipIf(!hasScript)('redraws the progress in place, in colour, on a terminal', async () => {
    const r = await pluginInTerminal(['run', 'diamond', '-n', ns, '--name', 'dia-tty', '-w']);
    expect(r.code).toBe(0);
    const raw = r.stdout;
    expect(raw).toContain('\x1b[?25l'); // cursor hidden while drawing
    expect(raw).toContain('\x1b[?25h'); // and shown again
    expect(raw).toMatch(/\x1b\[\d+F\x1b\[J/); // the block is redrawn in place
    expect(raw).toContain('\x1b[1mdaginstance/dia-tty\x1b[22m');
    expect(raw).toContain('\x1b[32mSucceeded\x1b[39m: 4/4 tasks finished in');
    expect(stripColor(raw.replace(/\x1b\[(\?25[lh]|\d*F|J)/g, ''))).toMatch(
      /daginstance\/dia-tty Succeeded: 4\/4 tasks finished in \S+\r?\n$/,
    );
  });
});

describe('kubectl fastflow get', () => {
  it('lists instances like kubectl get dagi', async () => {
    const r = await plugin(['get', '-n', ns]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^NAME +DAG +PHASE +PROGRESS +AGE +DURATION$/);
    expect(out).toContainEqual(
      expect.stringMatching(/^dia-1 +diamond +Succeeded +4\/4 +\d+s +\S+$/),
    );
    expect(out).toContainEqual(expect.stringMatching(/^shaky-1 +shaky +Failed +1\/2 +\d+s +\S+$/));
    // Columns line up: every row starts its DAG column where the header does.
    const col = out[0]?.indexOf('DAG');
    for (const row of out.slice(1)) expect(row.slice(0, col)).toMatch(/^\S+ +$/);
  });

  it("uses the kubeconfig context's namespace without -n", async () => {
    const kc = testKubeConfig();
    const context = kc.getContextObject(kc.getCurrentContext());
    if (context) (context as { namespace?: string }).namespace = ns;
    const file = join(home, 'kubeconfig-ns');
    writeFileSync(file, kc.exportConfig());
    const r = await plugin(['get'], { KUBECONFIG: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dia-1 +diamond +Succeeded/m);
  });

  it('shows one instance with its tasks', async () => {
    const r = await plugin(['get', 'dia-1', '-n', ns]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toContain('Name:      dia-1');
    expect(out).toContain(`Namespace: ${ns}`);
    expect(out).toContainEqual(
      expect.stringMatching(/^Dag: +diamond \(snapshot diamond-[0-9a-f]+\)$/),
    );
    expect(out).toContain('Vars:      who=plugin');
    expect(out).toContain('Phase:     Succeeded');
    expect(out).toContain('Message:   all 4 tasks succeeded');
    const table = out.slice(out.indexOf('') + 1);
    expect(table[0]).toMatch(/^TASK +PHASE +ATTEMPT +WORKER +DURATION +MESSAGE$/);
    expect(table.slice(1).map((l) => l.split(/ +/).slice(0, 3))).toEqual([
      ['a', 'Succeeded', '1'],
      ['b', 'Succeeded', '1'],
      ['c', 'Succeeded', '1'],
      ['d', 'Succeeded', '1'],
    ]);
    expect(table[1]).toMatch(/^a +Succeeded +1 +worker-\S+ +\S+$/);
  });
});

describe('kubectl fastflow tree', () => {
  const drawn = (out: string[]): string[] =>
    out.slice(1).map((l) => l.replace(/\d+(\.\d)?(ms|s)\b/, 'T').replace(/ +T/, ' T'));

  it('draws a finished instance as plain text when stdout is not a terminal', async () => {
    const r = await plugin(['tree', 'dia-1', '-n', ns]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^daginstance\/dia-1 {2}\(dag diamond\) {2}Succeeded {2}4\/4 {2}\S+$/);
    expect(drawn(out)).toEqual([
      'a        Succeeded T',
      '├─ b     Succeeded T',
      '│  └─ d  Succeeded T  after b, c',
      '└─ c     Succeeded T',
      '   └─ d (see above)',
    ]);
  });

  it('colours it on a terminal, or with FORCE_COLOR; never with NO_COLOR', async () => {
    const plain = await plugin(['tree', 'dia-1', '-n', ns]);
    const forced = await plugin(['tree', 'dia-1', '-n', ns], { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('\x1b[32mSucceeded\x1b[39m');
    expect(forced.stdout).toContain('\x1b[2m(see above)\x1b[22m');
    expect(stripColor(forced.stdout)).toBe(plain.stdout);
    const off = await plugin(['tree', 'dia-1', '-n', ns], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(off.stdout).toBe(plain.stdout);
    if (hasScript) {
      const tty = await pluginInTerminal(['tree', 'dia-1', '-n', ns]);
      expect(tty.code).toBe(0);
      expect(tty.stdout).toContain('\x1b[32mSucceeded\x1b[39m');
      expect(stripColor(tty.stdout).replace(/\r\n/g, '\n')).toBe(plain.stdout);
    }
  });

  it('shows a failed task with its attempt message', async () => {
    const r = await plugin(['tree', 'shaky-1', '-n', ns]);
    expect(drawn(lines(r.stdout))).toEqual([
      'shaky     Failed T  ActionFailed: attempt 1 fails on purpose',
      '└─ after  Pending',
    ]);
  });
});

describe('kubectl fastflow logs', () => {
  it("prints a task's traces by attempt, with timestamps", async () => {
    const r = await plugin(['logs', 'dia-1', 'a', '-n', ns]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('=== task a');
    expect(out[1]).toMatch(/^--- attempt 1 \(Succeeded, worker worker-\S+, 1 line\)$/);
    expect(out[2]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z dia-1\/a: \{"greet":"plugin"\}$/,
    );
    expect(out).toHaveLength(3);
  });

  it("prints every task's traces in the Dag's order", async () => {
    const r = await plugin(['logs', 'dia-1', '-n', ns]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).filter((l) => l.startsWith('=== '))).toEqual([
      '=== task a',
      '=== task b',
      '=== task c',
      '=== task d',
    ]);
  });

  it('names a task the instance does not have', async () => {
    const r = await plugin(['logs', 'dia-1', 'zz', '-n', ns]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('error: dagi "dia-1" has no task "zz" (tasks: a, b, c, d)\n');
  });
});

describe('kubectl fastflow cancel / retry / continue', () => {
  it('cancels a running instance; a second cancel is refused with the operator message', async () => {
    const start = await plugin(['run', 'nap', '-n', ns, '--name', 'nap-1']);
    expect(start).toMatchObject({ code: 0, stdout: 'daginstance.fastflow.io/nap-1 created\n' });
    await env.waitForInstance('nap-1', (i) => i.status?.tasks?.['nap']?.phase === 'Running');
    const cancel = await plugin(['cancel', 'nap-1', '-n', ns]);
    expect(cancel).toEqual({
      code: 0,
      stdout: 'daginstance/nap-1: cancel applied: nap, after\n',
      stderr: '',
    });
    expect((await env.finished('nap-1')).status?.phase).toBe('Canceled');
    const again = await plugin(['cancel', 'nap-1', '-n', ns]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: daginstance/nap-1: cancel refused by the operator: every task has already finished\n',
    });
  });

  it('retries a failed task, refusing one that has not failed', async () => {
    const wrong = await plugin(['retry', 'shaky-1', 'after', '-n', ns]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^error: daginstance\/shaky-1: retry refused by the operator: .*only failed or canceled tasks can be retried \(after is Pending\)\n$/,
    );
    const retry = await plugin(['retry', 'shaky-1', 'shaky', '-n', ns]);
    expect(retry).toEqual({
      code: 0,
      stdout: 'daginstance/shaky-1: retry applied: shaky\n',
      stderr: '',
    });
    const done = await env.waitForInstance('shaky-1', (i) => i.status?.phase === 'Succeeded');
    expect(done.status?.tasks?.['shaky']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
  });

  it('continues a blocked task', async () => {
    expect((await plugin(['run', 'gate', '-n', ns, '--name', 'gate-1'])).code).toBe(0);
    await env.waitForInstance('gate-1', (i) => i.status?.phase === 'Blocked');
    const tree = await plugin(['tree', 'gate-1', '-n', ns]);
    expect(lines(tree.stdout)[1]).toBe('deploy  Blocked  PreCheck: blocked by preCheck "approval"');
    const r = await plugin(['continue', 'gate-1', '-n', ns]);
    expect(r).toEqual({
      code: 0,
      stdout: 'daginstance/gate-1: continue applied: deploy\n',
      stderr: '',
    });
    expect((await env.finished('gate-1')).status?.phase).toBe('Succeeded');
  });
});

describe('kubectl fastflow lint', () => {
  it('accepts a good Dag manifest and a bare fastflow Dag', async () => {
    const manifest = await plugin(['lint', 'examples/diamond/dag.yaml'], { KUBECONFIG: undefined });
    expect(manifest).toEqual({
      code: 0,
      stdout: 'examples/diamond/dag.yaml: ok: Dag "diamond" with 4 tasks\n',
      stderr: '',
    });
    const bare = await plugin(['lint', 'test/fixtures/fastflow-seed-dag.yaml'], {
      KUBECONFIG: undefined,
    });
    expect(bare.code).toBe(0);
  });

  it('prints every problem of a bad file with its path and line, exit 1', async () => {
    const file = join(home, 'bad-dag.yaml');
    writeFileSync(
      file,
      `apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata:
  name: bad
spec:
  tasks:
    - id: a
      actionName: print
      dependsOn: [b]
    - id: b
      actionName: print
      dependOn: [c, ghost]
    - id: c
      actionName: print
      dependOn: [b]
`,
    );
    const r = await plugin(['lint', file], { KUBECONFIG: undefined });
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([
      `${file}:6:3: spec.tasks: tasks form a cycle: b -> c -> b`,
      `${file}:9:7: spec.tasks[0].dependsOn: unknown field "dependsOn" (did you mean "dependOn"?)`,
      `${file}:12:21: spec.tasks[1].dependOn[1]: task "b" depends on "ghost", which is not a task of this Dag`,
      `${file}: 3 problems`,
    ]);
    // What the operator says about the same Dag, once admission lets it in.
    const fixed = readFileSync(file, 'utf8').replace('dependsOn', 'dependOn');
    await env.kubectl(['apply', '-f', '-'], fixed);
    type DagStatus = { valid?: boolean; message?: string } | undefined;
    const status = async (): Promise<DagStatus> => (await env.getDag('bad'))['status'] as DagStatus;
    await expect.poll(async () => (await status())?.valid, { timeout: 10_000 }).toBe(false);
    const message = (await status())?.message ?? '';
    expect(message).toContain('spec.tasks[1].dependOn[1]: task "b" depends on "ghost"');
    expect(message).toContain('spec.tasks: tasks form a cycle: b -> c -> b');
  });
});

describe('kubectl fastflow errors', () => {
  const noStack = (r: Result): void => expect(r.stderr).not.toMatch(/\n\s+at /);

  it('names a missing instance or Dag', async () => {
    for (const args of [
      ['get', 'ghost'],
      ['tree', 'ghost'],
      ['logs', 'ghost'],
      ['cancel', 'ghost'],
    ]) {
      const r = await plugin([...args, '-n', ns]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: dagi "ghost" not found in namespace "${ns}"\n`,
      });
    }
    const dag = await plugin(['run', 'no-such-dag', '-n', ns]);
    expect(dag).toMatchObject({
      code: 1,
      stderr: `error: dag "no-such-dag" not found in namespace "${ns}"\n`,
    });
  });

  it('refuses a bad --var (exit 2) or an undeclared one (exit 1) before creating anything', async () => {
    const before = await env.kubectl(['get', 'dagi', '-o', 'name']);
    const malformed = await plugin(['run', 'diamond', '-n', ns, '--var', 'who']);
    expect(malformed).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --var "who": expected KEY=VALUE, e.g. --var fileName=demo.txt\n',
    });
    const undeclared = await plugin(['run', 'diamond', '-n', ns, '--var', 'whom=x']);
    expect(undeclared).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --var whom: Dag "diamond" declares no such var (declared: who)\n',
    });
    const after = await env.kubectl(['get', 'dagi', '-o', 'name']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('says how to point at a cluster when there is no kubeconfig', async () => {
    const r = await plugin(['get', '-n', ns], { KUBECONFIG: undefined });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, or create ~\/\.kube\/config/,
    );
    noStack(r);
  });

  it('names the server address when the connection is refused', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise((r) => server.close(r));
    const kc = testKubeConfig();
    const address = `https://127.0.0.1:${port}`;
    const file = join(home, 'kubeconfig-refused');
    writeFileSync(file, kc.exportConfig().replace(kc.getCurrentCluster()?.server ?? '', address));
    const r = await plugin(['get', '-n', ns], { KUBECONFIG: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot reach the Kubernetes API server at ${address}: connection refused ` +
        '(is the cluster running, and is --kubeconfig / KUBECONFIG the right one?)\n',
    );
  });
});

describe('as a kubectl plugin', () => {
  it('kubectl finds kubectl-fastflow on PATH, through a symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-plugins-'));
    try {
      symlinkSync(BIN, join(dir, 'kubectl-fastflow'));
      const r = await exec(join(testBinDir(), 'kubectl'), ['fastflow', 'get', 'dia-1', '-n', ns], {
        PATH: [dir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
        HOME: home,
        KUBECONFIG: testKubeconfigPath(),
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Phase:     Succeeded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
