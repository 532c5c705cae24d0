import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../local-cluster/control-plane.ts';
import { testBinDir } from '../support/cluster.ts';

/** Whether `pid` is a live process (a zombie counts as dead). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (!existsSync(`/proc/${pid}/stat`)) return true;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

/** Retries `read` until it succeeds: after a restart the API server may still be reconnecting. */
async function eventually<T>(read: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(200);
    }
  }
}

// Its own control plane: killing the shared one would break the other files' clients.
let cp: ControlPlane;
let core: CoreV1Api;

beforeAll(async () => {
  cp = await startControlPlane({ binDir: testBinDir(), log: () => {} });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'survivor' }, data: { k: 'v' } },
  });
});

afterAll(async () => {
  await cp?.stop();
});

const readSurvivor = async (): Promise<string | undefined> =>
  (await core.readNamespacedConfigMap({ namespace: 'default', name: 'survivor' })).data?.['k'];

describe('local control plane restarts (fault injection)', () => {
  it('stopApiServer kills kube-apiserver; startApiServer brings it back on the same port', async () => {
    const first = cp.pids.apiserver;
    await cp.stopApiServer();
    expect(pidAlive(first)).toBe(false);
    const down = await readSurvivor().catch((e: unknown) => e);
    expect((down as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    await cp.stopApiServer(); // already down: nothing to do
    await cp.startApiServer();
    expect(cp.pids.apiserver).not.toBe(first);
    expect(pidAlive(cp.pids.apiserver)).toBe(true);
    expect(await readSurvivor()).toBe('v');
  });

  it('restartApiServer keeps the server address and the data', async () => {
    const before = { server: cp.server, pid: cp.pids.apiserver };
    await cp.restartApiServer({ downMs: 200 });
    expect(cp.server).toBe(before.server);
    expect(cp.pids.apiserver).not.toBe(before.pid);
    expect(await readSurvivor()).toBe('v');
  });

  it('restartEtcd keeps the data; the API server reconnects to it', async () => {
    const before = cp.pids.etcd;
    await cp.stopEtcd();
    expect(pidAlive(before)).toBe(false);
    await cp.startEtcd();
    expect(await eventually(readSurvivor)).toBe('v');
    await cp.restartEtcd({ downMs: 200 });
    expect(cp.pids.etcd).not.toBe(before);
    expect(await eventually(readSurvivor)).toBe('v');
  });

  it('stop() ends the restarted processes too; starting after stop() is refused', async () => {
    const pids = Object.values(cp.pids);
    await cp.stop();
    expect(pids.filter(pidAlive)).toEqual([]);
    await expect(cp.startApiServer()).rejects.toThrow(/was stopped/);
  });
});
