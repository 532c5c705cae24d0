import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LeaseMutex,
  MUTEX_LABEL,
  MutexError,
  mutexLeaseName,
  type LeaseMutexOptions,
} from '../../actions-runtime/index.ts';
import { createTestNamespace, testKubeConfig, testKubeconfigPath } from '../support/cluster.ts';

let namespace: string;
beforeAll(async () => {
  namespace = await createTestNamespace('mutex');
});

// Each holder gets its own client, as separate processes would have.
function mutex(key: string, identity: string, opts: Partial<LeaseMutexOptions> = {}): LeaseMutex {
  const api = testKubeConfig().makeApiClient(CoordinationV1Api);
  return new LeaseMutex(api, { namespace, key, identity, ttlSecs: 2, ...opts });
}

const coordination = (): CoordinationV1Api => testKubeConfig().makeApiClient(CoordinationV1Api);
const readLease = (key: string) =>
  coordination().readNamespacedLease({ namespace, name: mutexLeaseName(key) });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('LeaseMutex on the API server', () => {
  it('lets one of two contending holders into the critical section at a time; both get it', async () => {
    const key = 'contended';
    let inside = 0;
    const entries: string[] = [];
    const violations: string[] = [];
    const worker = async (identity: string): Promise<void> => {
      const m = mutex(key, identity);
      for (let i = 0; i < 4; i++) {
        await m.lock(AbortSignal.timeout(20_000));
        inside++;
        if (inside !== 1) violations.push(`${identity} entered with ${inside - 1} inside`);
        const lease = await readLease(key);
        if (lease.spec?.holderIdentity !== identity) {
          violations.push(`${identity} inside while the Lease says ${lease.spec?.holderIdentity}`);
        }
        entries.push(identity);
        await sleep(30);
        inside--;
        await m.unlock();
      }
    };
    await Promise.all([worker('holder-a'), worker('holder-b')]);
    expect(violations).toEqual([]);
    expect(entries.filter((e) => e === 'holder-a')).toHaveLength(4);
    expect(entries.filter((e) => e === 'holder-b')).toHaveLength(4);
    // Released for good: the Lease is gone.
    await expect(readLease(key)).rejects.toMatchObject({ code: 404 });
  });

  it('labels the Lease and keeps it renewed past the ttl while held', async () => {
    const key = 'renewed';
    const m = mutex(key, 'keeper');
    await m.lock();
    const first = await readLease(key);
    expect(first.metadata?.labels?.[MUTEX_LABEL]).toMatch(/^[0-9a-f]{16}$/);
    expect(first.spec).toMatchObject({ holderIdentity: 'keeper', leaseDurationSeconds: 2 });
    await sleep(3000);
    const later = await readLease(key);
    expect(later.spec?.holderIdentity).toBe('keeper');
    expect(String(later.spec?.renewTime)).not.toBe(String(first.spec?.renewTime));
    expect(await mutex(key, 'other').tryLock()).toBe(false);
    await m.unlock();
  });

  it('is taken over a ttl after its holder died without unlocking', async () => {
    const key = 'orphaned';
    const dir = mkdtempSync(join(tmpdir(), 'fastflow-mutex-'));
    const script = join(dir, 'holder.ts');
    // Absolute URLs: the script lives outside the repo's node_modules tree.
    const mutexModule = new URL('../../actions-runtime/mutex/mutex.ts', import.meta.url).href;
    const clientNode = import.meta.resolve('@kubernetes/client-node');
    writeFileSync(
      script,
      [
        `import { CoordinationV1Api, KubeConfig } from ${JSON.stringify(clientNode)};`,
        `import { LeaseMutex } from ${JSON.stringify(mutexModule)};`,
        `const kc = new KubeConfig();`,
        `kc.loadFromFile(${JSON.stringify(testKubeconfigPath())});`,
        `const m = new LeaseMutex(kc.makeApiClient(CoordinationV1Api), {`,
        `  namespace: ${JSON.stringify(namespace)}, key: ${JSON.stringify(key)},`,
        `  identity: 'doomed', ttlSecs: 2 });`,
        `await m.lock();`,
        `process.stdout.write('locked\\n');`,
        `setInterval(() => {}, 1000);`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    expect(chunk.toString()).toBe('locked\n');
    expect((await readLease(key)).spec?.holderIdentity).toBe('doomed');

    const waiter = mutex(key, 'survivor');
    expect(await waiter.tryLock()).toBe(false);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const started = performance.now();
    await waiter.lock(AbortSignal.timeout(15_000));
    const waited = performance.now() - started;
    // ≈ ttl (2 s) after the last renewal it saw, never at once.
    expect(waited).toBeGreaterThan(1500);
    expect(waited).toBeLessThan(6000);
    expect((await readLease(key)).spec).toMatchObject({
      holderIdentity: 'survivor',
      leaseTransitions: 1,
    });
    await waiter.unlock();
  });

  it('is reentrant for one identity when asked', async () => {
    const key = 'reentrant';
    const m = mutex(key, 'w-1', { reentrant: true });
    await m.lock();
    await m.lock();
    expect((await readLease(key)).metadata?.annotations?.['fastflow.io/mutex-holds']).toBe('2');
    expect(await mutex(key, 'w-2').tryLock()).toBe(false);
    await m.unlock();
    expect((await readLease(key)).spec?.holderIdentity).toBe('w-1');
    await m.unlock();
    await expect(readLease(key)).rejects.toMatchObject({ code: 404 });
    // Without `reentrant`, locking twice is refused rather than a deadlock.
    const plain = mutex(key, 'w-3');
    await plain.lock();
    await expect(plain.lock()).rejects.toThrow(MutexError);
    await plain.unlock();
  });

  it('refuses an unlock by a non-holder, including a former holder whose lock was taken over', async () => {
    const key = 'guarded';
    const a = mutex(key, 'a', { ttlSecs: 1 });
    const b = mutex(key, 'b', { ttlSecs: 1 });
    await a.lock();
    await expect(b.unlock()).rejects.toThrow(/not locked by this LeaseMutex \(b\)/);
    expect((await readLease(key)).spec?.holderIdentity).toBe('a');

    // An intruder writes itself in as holder (as a take-over would): a finds
    // out at its next renewal, and its unlock cannot free the intruder's lock.
    const lease = await readLease(key);
    await coordination().replaceNamespacedLease({
      namespace,
      name: mutexLeaseName(key),
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder' } },
    });
    await expect.poll(() => a.held, { timeout: 3000 }).toBe(false);
    expect(a.signal.aborted).toBe(true);
    await expect(a.unlock()).rejects.toThrow(MutexError);
    expect((await readLease(key)).spec?.holderIdentity).toBe('intruder');
  });

  it('throws API errors instead of pretending to hold the lock', async () => {
    const m = mutex('x', 'a', { namespace: 'no-such-namespace-xyz' });
    await expect(m.lock()).rejects.toMatchObject({ name: 'KubeApiError', code: 404 });
    expect(m.held).toBe(false);
  });
});
