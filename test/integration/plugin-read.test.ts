/**
 * `kubectl fastflow get`, `tree` and `logs` as a user runs them (see
 * test/support/plugin-cli.ts), on a finished instance of each kind, and
 * the plugin found by kubectl's own plugin discovery.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stripColor } from '../../operator/plugin/color.ts';
import { testBinDir, testKubeConfig, testKubeconfigPath } from '../support/cluster.ts';
import {
  BIN,
  exec,
  hasScript,
  home,
  lines,
  plugin,
  pluginInTerminal,
  usePluginCluster,
} from '../support/plugin-cli.ts';

const cluster = usePluginCluster();

// dia-1 succeeds with the var who=plugin; shaky-1 fails its task `shaky`.
beforeAll(async () => {
  await cluster.env.createInstance('dia-1', 'diamond', { who: 'plugin' });
  await cluster.env.createInstance('shaky-1', 'shaky');
  await cluster.env.waitForInstance('dia-1', (i) => i.status?.phase === 'Succeeded');
  await cluster.env.waitForInstance('shaky-1', (i) => i.status?.phase === 'Failed');
});

describe('kubectl fastflow get', () => {
  it('lists instances like kubectl get dagi', async () => {
    const r = await plugin(['get', '-n', cluster.ns]);
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
    if (context) (context as { namespace?: string }).namespace = cluster.ns;
    const file = join(home, 'kubeconfig-ns');
    writeFileSync(file, kc.exportConfig());
    const r = await plugin(['get'], { KUBECONFIG: file });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dia-1 +diamond +Succeeded/m);
  });

  it('shows one instance with its tasks', async () => {
    const r = await plugin(['get', 'dia-1', '-n', cluster.ns]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out).toContain('Name:      dia-1');
    expect(out).toContain(`Namespace: ${cluster.ns}`);
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
    const r = await plugin(['tree', 'dia-1', '-n', cluster.ns]);
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
    const plain = await plugin(['tree', 'dia-1', '-n', cluster.ns]);
    const forced = await plugin(['tree', 'dia-1', '-n', cluster.ns], { FORCE_COLOR: '1' });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('\x1b[32mSucceeded\x1b[39m');
    expect(forced.stdout).toContain('\x1b[2m(see above)\x1b[22m');
    expect(stripColor(forced.stdout)).toBe(plain.stdout);
    const off = await plugin(['tree', 'dia-1', '-n', cluster.ns], {
      FORCE_COLOR: '1',
      NO_COLOR: '1',
    });
    expect(off.stdout).toBe(plain.stdout);
    if (hasScript) {
      const tty = await pluginInTerminal(['tree', 'dia-1', '-n', cluster.ns]);
      expect(tty.code).toBe(0);
      expect(tty.stdout).toContain('\x1b[32mSucceeded\x1b[39m');
      expect(stripColor(tty.stdout).replace(/\r\n/g, '\n')).toBe(plain.stdout);
    }
  });

  it('shows a failed task with its attempt message', async () => {
    const r = await plugin(['tree', 'shaky-1', '-n', cluster.ns]);
    const tree = drawn(lines(r.stdout));
    expect(tree).toHaveLength(2);
    const [failed, after] = tree;
    expect(failed).toBe('shaky     Failed T  ActionFailed: attempt 1 fails on purpose');
    // Its sole successor was pre-assigned behind it (a chain step) and went back to Pending.
    expect(after).toMatch(
      /^└─ after {2}Pending {8}PreAssignmentVoided: pre-assigned behind shaky@1 on worker worker-\S+, but it did not succeed$/,
    );
  });
});

describe('kubectl fastflow logs', () => {
  it("prints a task's traces by attempt, with timestamps", async () => {
    const r = await plugin(['logs', 'dia-1', 'a', '-n', cluster.ns]);
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
    const r = await plugin(['logs', 'dia-1', '-n', cluster.ns]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout).filter((l) => l.startsWith('=== '))).toEqual([
      '=== task a',
      '=== task b',
      '=== task c',
      '=== task d',
    ]);
  });

  it('names a task the instance does not have', async () => {
    const r = await plugin(['logs', 'dia-1', 'zz', '-n', cluster.ns]);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe('error: dagi "dia-1" has no task "zz" (tasks: a, b, c, d)\n');
  });
});

describe('as a kubectl plugin', () => {
  it('kubectl finds kubectl-fastflow on PATH, through a symlink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-plugins-'));
    try {
      symlinkSync(BIN, join(dir, 'kubectl-fastflow'));
      const r = await exec(
        join(testBinDir(), 'kubectl'),
        ['fastflow', 'get', 'dia-1', '-n', cluster.ns],
        {
          PATH: [dir, dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter),
          HOME: home,
          KUBECONFIG: testKubeconfigPath(),
        },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Phase:     Succeeded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
