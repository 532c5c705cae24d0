/**
 * operator/kube's LeaderElector against a real API server: one leader, kept
 * by its renewals; a standby takes over only once the Lease has stood still
 * for leaseDuration on its own clock, which the test moves; a released Lease
 * is taken over at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClients, type KubeClients } from '../../operator/kube/client.ts';
import { LeaderElector } from '../../operator/kube/leader-election.ts';
import { silentLogger } from '../../operator/log.ts';
import {
  createTestNamespace,
  deleteTestNamespace,
  kubectl,
  testKubeConfig,
} from '../support/cluster.ts';
import { ok } from '../support/kube-requests.ts';

const LEASE = 'test-leader';
/** How long to wait for a candidate to act. */
const WAIT = { timeout: 15_000, interval: 20 };
let ns: string;
let clients: KubeClients;

beforeAll(async () => {
  ns = await createTestNamespace('kube-leader');
  clients = makeClients(testKubeConfig(), { userAgent: 'fastflow-leader-election-test' });
});
afterAll(async () => {
  if (ns) await deleteTestNamespace(ns);
});

describe('LeaderElector', () => {
  const timing = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 250 };

  /** A candidate's take-over clock: real time until frozen, then moved only by the test. */
  class TestClock {
    #frozenAt: number | undefined;
    readonly now = (): number => this.#frozenAt ?? performance.now();
    freeze(): void {
      this.#frozenAt = performance.now();
    }
    advance(ms: number): void {
      if (this.#frozenAt === undefined) throw new Error('freeze the clock first');
      this.#frozenAt += ms;
    }
  }

  /** A candidate that counts its reads of the Lease: each one is a chance to take over. */
  function candidate(identity: string) {
    const state = { started: 0, stopped: 0, reads: 0 };
    let leadership: AbortSignal | undefined;
    const clock = new TestClock();
    const { coordination } = makeClients(testKubeConfig(), { userAgent: identity });
    const read = coordination.readNamespacedLease.bind(coordination);
    coordination.readNamespacedLease = async (...args: Parameters<typeof read>) => {
      const lease = await read(...args);
      state.reads++;
      return lease;
    };
    const stop = new AbortController();
    const elector = new LeaderElector({
      coordination,
      namespace: ns,
      name: LEASE,
      identity,
      ...timing,
      logger: silentLogger(),
      now: clock.now,
      onStartedLeading: (signal) => {
        state.started++;
        leadership = signal;
      },
      onStoppedLeading: () => state.stopped++,
    });
    const done = elector.run(stop.signal);
    /** Resolves once this candidate has read the Lease `n` more times. */
    const reads = (n: number): Promise<void> => {
      const target = state.reads + n;
      const message = `${identity} reads the lease ${n} more times`;
      return expect.poll(() => state.reads, { ...WAIT, message }).toBeGreaterThanOrEqual(target);
    };
    const isLeader = (): boolean => state.started > state.stopped;
    return { elector, state, clock, stop, done, reads, isLeader, leadership: () => leadership };
  }

  async function holder(): Promise<{ holder?: string; transitions?: number; renewTime: string }> {
    const lease = await clients.coordination.readNamespacedLease({
      namespace: ns,
      name: LEASE,
    });
    return {
      ...(lease.spec?.holderIdentity !== undefined ? { holder: lease.spec.holderIdentity } : {}),
      ...(lease.spec?.leaseTransitions !== undefined
        ? { transitions: lease.spec.leaseTransitions }
        : {}),
      renewTime: String(lease.spec?.renewTime),
    };
  }

  it('elects one leader, fails over after leaseDuration on the standby clock, and hands over at once on release', async () => {
    const a = candidate('elector-a');
    const b = candidate('elector-b');
    await expect
      .poll(() => a.isLeader() || b.isLeader(), {
        ...WAIT,
        message: 'a leader is elected',
      })
      .toBe(true);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    // At least retryPeriod apart, 12 reads span more than a leaseDuration:
    // only the leader's renewals keep the standby from taking over.
    await standby.reads(12);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(a.state.started + b.state.started).toBe(1);
    const first = await holder();
    expect(first.renewTime).toMatch(/\.\d{6}Z$/);

    // The leader stops renewing without releasing. The standby's clock stands
    // still from now on, and a last change to the Lease starts its wait.
    standby.clock.freeze();
    leader.stop.abort();
    await leader.done;
    expect(leader.state.stopped).toBe(1);
    expect(leader.leadership()?.aborted).toBe(true);
    await ok(kubectl(['-n', ns, 'annotate', 'lease', LEASE, 'test/touched=1']), 'touch the lease');
    await standby.reads(2);
    // However often it reads the unchanged Lease, it waits a whole leaseDuration on its clock.
    standby.clock.advance(timing.leaseDurationMs - 1);
    await standby.reads(2);
    expect(standby.isLeader()).toBe(false);
    standby.clock.advance(1);
    await expect
      .poll(() => standby.isLeader(), { ...WAIT, message: 'the standby takes over' })
      .toBe(true);
    const second = await holder();
    expect(second.holder).toBe(standby === a ? 'elector-a' : 'elector-b');
    expect(second.transitions).toBe((first.transitions ?? 0) + 1);

    // A graceful stop releases: a candidate whose clock never moves (the Lease
    // can never look expired to it) takes over as soon as it is released.
    const c = candidate('elector-c');
    c.clock.freeze();
    await c.reads(3);
    expect(c.isLeader()).toBe(false);
    standby.stop.abort();
    await standby.done;
    await standby.elector.release();
    await expect
      .poll(() => c.isLeader(), {
        ...WAIT,
        message: 'elector-c takes over the released lease',
      })
      .toBe(true);
    expect((await holder()).holder).toBe('elector-c');
    c.stop.abort();
    await c.done;
  });
});
