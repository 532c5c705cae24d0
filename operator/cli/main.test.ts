import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join('operator', 'cli', 'main.ts');
const home = mkdtempSync(join(tmpdir(), 'fastflow-cli-home-'));

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a user would, with an environment that holds no cluster
 * configuration at all: no KUBECONFIG, not in a pod, an empty HOME, and no
 * FASTFLOW_* settings inherited from the test run.
 */
function fastflow(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: home, ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('fastflow CLI', { timeout: 60_000 }, () => {
  it('operator --concurrency abc: exit 2 naming the flag and its variable', async () => {
    const r = await fastflow(['operator', '--concurrency', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^fastflow: invalid configuration:\n {2}--concurrency \(FASTFLOW_CONCURRENCY\): /,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('worker --concurrency 0: exit 2 naming the flag', async () => {
    const r = await fastflow(['worker', '--concurrency', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--concurrency (FASTFLOW_CONCURRENCY)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad value from the environment: exit 2 naming the variable', async () => {
    const r = await fastflow(['operator'], { FASTFLOW_LEASE_NAMESPACE: 'Not_A_Namespace' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--lease-namespace (FASTFLOW_LEASE_NAMESPACE)');
  });

  it.each([['operator'], ['worker']])(
    '%s without any cluster configuration: exit 2 saying what to do',
    async (command) => {
      const r = await fastflow([command]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'fastflow: no cluster configuration: pass --kubeconfig, set KUBECONFIG, or run in a pod (KUBERNETES_SERVICE_HOST)',
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('a --kubeconfig that does not exist: exit 2 naming the file', async () => {
    const missing = join(home, 'nope.yaml');
    const r = await fastflow(['operator', '--kubeconfig', missing]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot load kubeconfig ${missing}`);
  });

  it('worker --actions ./does-not-exist.ts: exit 2 naming the module', async () => {
    const r = await fastflow(['worker', '--actions', './does-not-exist.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fastflow: --actions \.\/does-not-exist\.ts: cannot load: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('worker --actions with a module that exports no action: exit 2', async () => {
    const r = await fastflow(['worker', '--actions', './operator/core/templates.ts']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--actions ./operator/core/templates.ts: exports no action');
  });

  it('--help lists the operator and worker commands', async () => {
    const r = await fastflow(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: fastflow');
    expect(r.stdout).toMatch(/^\s+operator\b.*run the operator/m);
    expect(r.stdout).toMatch(/^\s+worker\b.*run a worker/m);
  });

  it("simulate FILE: the plugin's simulate, its flags and exit code, no cluster", async () => {
    const dag = join(home, 'chain.yaml');
    writeFileSync(
      dag,
      'tasks:\n  - { id: a, actionName: print }\n  - { id: b, actionName: print, dependOn: [a] }\n',
    );
    const ok = await fastflow(['simulate', dag]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Succeeded: all 2 tasks succeeded$/m);
    const failed = await fastflow(['simulate', dag, '--fail', 'a', '-o', 'json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ phase: 'Failed' });
    const usage = await fastflow(['simulate', dag, '--fail', 'c']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--fail c: the Dag has no task "c" (tasks: a, b)');
  });
});
