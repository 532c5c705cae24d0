/**
 * `kubectl fastflow` errors as a user meets them (see test/support/plugin-cli.ts):
 * one line naming the problem and what to do, an exit code, no stack trace.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testKubeConfig } from '../support/cluster.ts';
import { home, plugin, usePluginCluster, type Result } from '../support/plugin-cli.ts';

const cluster = usePluginCluster();

describe('kubectl fastflow errors', () => {
  const noStack = (r: Result): void => expect(r.stderr).not.toMatch(/\n\s+at /);

  it('names a missing instance or Dag', async () => {
    for (const args of [
      ['get', 'ghost'],
      ['tree', 'ghost'],
      ['logs', 'ghost'],
      ['cancel', 'ghost'],
    ]) {
      const r = await plugin([...args, '-n', cluster.ns]);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: dagi "ghost" not found in namespace "${cluster.ns}"\n`,
      });
    }
    const dag = await plugin(['run', 'no-such-dag', '-n', cluster.ns]);
    expect(dag).toMatchObject({
      code: 1,
      stderr: `error: dag "no-such-dag" not found in namespace "${cluster.ns}"\n`,
    });
  });

  it('refuses a bad --var (exit 2) or an undeclared one (exit 1) before creating anything', async () => {
    const before = await cluster.env.kubectl(['get', 'dagi', '-o', 'name']);
    const malformed = await plugin(['run', 'diamond', '-n', cluster.ns, '--var', 'who']);
    expect(malformed).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --var "who": expected KEY=VALUE, e.g. --var fileName=demo.txt\n',
    });
    const undeclared = await plugin(['run', 'diamond', '-n', cluster.ns, '--var', 'whom=x']);
    expect(undeclared).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --var whom: Dag "diamond" declares no such var (declared: who)\n',
    });
    const after = await cluster.env.kubectl(['get', 'dagi', '-o', 'name']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('says how to point at a cluster when there is no kubeconfig', async () => {
    const r = await plugin(['get', '-n', cluster.ns], { KUBECONFIG: undefined });
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
    const r = await plugin(['get', '-n', cluster.ns], { KUBECONFIG: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: cannot reach the Kubernetes API server at ${address}: connection refused ` +
        '(is the cluster running, and is --kubeconfig / KUBECONFIG the right one?)\n',
    );
  });
});
