import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { ApiException, CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../local-cluster/control-plane.ts';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  testBinDir,
  testKubeConfig,
  testWorkerKubeconfigPath,
} from '../support/cluster.ts';

/** Whether `pid` is a live process (a zombie waiting for its reaper counts as dead). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." where S is the state.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return !existsSync('/proc/self'); // gone meanwhile (Linux), or no /proc: kill(0) said alive
  }
}

async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(pidAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(pidAlive);
  }
  return alive;
}

const controlPlaneModule = new URL('../local-cluster/control-plane.ts', import.meta.url).href;

describe('local control plane', () => {
  it('serves the API: version, namespace create/delete, kubectl', async () => {
    const kc = testKubeConfig();
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\./);

    const ns = await createTestNamespace('cp-smoke');
    const got = await kc.makeApiClient(CoreV1Api).readNamespace({ name: ns });
    expect(got.metadata?.name).toBe(ns);
    const res = await kubectl(['get', 'namespace', ns, '-o', 'name']);
    expect(res).toMatchObject({ code: 0, stdout: `namespace/${ns}\n` });
    await deleteTestNamespace(ns);
  });

  it('enforces RBAC for the non-admin worker user', async (ctx) => {
    const workerKubeconfig = testWorkerKubeconfigPath();
    if (workerKubeconfig === undefined) ctx.skip(); // external cluster without a worker user
    const api = testKubeConfig(workerKubeconfig).makeApiClient(CoreV1Api);
    const err = await api.listNamespace().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(403);
  });

  it('stop() leaves none of its processes alive and removes its directory', async () => {
    const cp = await startControlPlane({ binDir: testBinDir(), log: () => {} });
    const pids = Object.values(cp.pids);
    expect(pids.every(pidAlive)).toBe(true);
    await cp.stop();
    expect(pids.filter(pidAlive)).toEqual([]);
    expect(existsSync(cp.dir)).toBe(false);
  });

  it('kill -9 of the parent process takes etcd and kube-apiserver with it', async () => {
    const script = `
      const { startControlPlane } = await import(${JSON.stringify(controlPlaneModule)});
      const cp = await startControlPlane({ binDir: ${JSON.stringify(testBinDir())}, log: () => {} });
      process.stdout.write(JSON.stringify({ pids: cp.pids, dir: cp.dir }) + '\\n');
      setInterval(() => {}, 1 << 30);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const started = await new Promise<{ pids: Record<string, number>; dir: string }>(
      (resolve, reject) => {
        child.stdout.on('data', (c: string) => {
          out += c;
          if (out.includes('\n'))
            resolve(JSON.parse(out) as { pids: Record<string, number>; dir: string });
        });
        child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${out}`)));
      },
    );
    const pids = Object.values(started.pids);
    expect(pids.every(pidAlive)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitGone(pids, 10_000)).toEqual([]);
    const deadline = Date.now() + 5_000;
    while (existsSync(started.dir) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(existsSync(started.dir)).toBe(false);
  });
});
