import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OperatorConfig, WorkerConfig, leaseNamespaceOf } from '../api/config.ts';
import { WorkerName } from '../api/worker-lease.ts';
import { ConfigInputError, envName, loadConfig, uniqueProcessName } from './load.ts';

const os = vi.hoisted(() => ({ hostname: 'fastflow-worker-7d9f' }));
vi.mock('node:os', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:os')>();
  return { ...actual, hostname: () => os.hostname };
});

afterEach(() => {
  os.hostname = 'fastflow-worker-7d9f';
});

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(OperatorConfig, { identity: 'op-1' }, {})).toMatchObject({
      identity: 'op-1',
      leaseName: 'fastflow-operator',
      leaseDurationSecs: 15,
      renewDeadlineSecs: 10,
      retryPeriodSecs: 2,
      concurrency: 4,
      resyncSecs: 300,
      logLevel: 'info',
      metricsPort: 9090,
    });
    expect(loadConfig(WorkerConfig, { name: 'w1-abcde' }, {})).toMatchObject({
      concurrency: 16,
      leaseDurationSecs: 10,
      drainSecs: 30,
    });
  });

  it('reads FASTFLOW_* environment variables, coercing numbers', () => {
    const config = loadConfig(
      WorkerConfig,
      { name: 'w1-abcde' },
      {
        FASTFLOW_LEASE_NAMESPACE: 'leases',
        FASTFLOW_NAMESPACE: 'team-a',
        FASTFLOW_CONCURRENCY: '32',
        FASTFLOW_DRAIN_SECS: '2.5',
        FASTFLOW_LOG_LEVEL: 'debug',
        FASTFLOW_UNRELATED: 'x',
      },
    );
    expect(config).toMatchObject({
      leaseNamespace: 'leases',
      namespace: 'team-a',
      concurrency: 32,
      drainSecs: 2.5,
      logLevel: 'debug',
    });
    expect(leaseNamespaceOf(config)).toBe('leases');
  });

  it('lets flags win over the environment, and ignores unset flags and empty variables', () => {
    const env = {
      FASTFLOW_LEASE_NAMESPACE: 'from-env',
      FASTFLOW_CONCURRENCY: '8',
      FASTFLOW_NAMESPACE: '',
    };
    const config = loadConfig(
      WorkerConfig,
      { name: 'w1-abcde', leaseNamespace: 'from-flag', concurrency: undefined },
      env,
    );
    expect(config.leaseNamespace).toBe('from-flag');
    expect(config.concurrency).toBe(8);
    expect(config.namespace).toBeUndefined();
    expect(leaseNamespaceOf({})).toBe('fastflow-system');
    expect(leaseNamespaceOf({ namespace: 'team-a' })).toBe('team-a');
  });

  it('throws ConfigInputError naming the flag and the variable of a bad value', () => {
    let error: unknown;
    try {
      loadConfig(OperatorConfig, { identity: 'op-1', concurrency: 'abc' }, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInputError);
    expect((error as Error).message).toMatch(
      /^invalid configuration:\n {2}--concurrency \(FASTFLOW_CONCURRENCY\): /,
    );
  });

  it('takes chainLookAhead from 0 (off) to 64, default 16, and refuses others by name', () => {
    expect(loadConfig(OperatorConfig, { identity: 'op' }, {}).chainLookAhead).toBe(16);
    expect(
      loadConfig(OperatorConfig, { identity: 'op', chainLookAhead: '0' }, {}).chainLookAhead,
    ).toBe(0);
    for (const bad of ['65', '-1', '1.5', 'two'])
      expect(() =>
        loadConfig(OperatorConfig, { identity: 'op' }, { FASTFLOW_CHAIN_LOOK_AHEAD: bad }),
      ).toThrow('--chain-look-ahead (FASTFLOW_CHAIN_LOOK_AHEAD)');
  });

  it('names a bad value that came from the environment the same way', () => {
    expect(() =>
      loadConfig(WorkerConfig, { name: 'w1-abcde' }, { FASTFLOW_LEASE_DURATION_SECS: '-1' }),
    ).toThrow('--lease-duration-secs (FASTFLOW_LEASE_DURATION_SECS)');
  });

  it('lists every problem', () => {
    expect(() =>
      loadConfig(
        WorkerConfig,
        { name: 'Bad_Name', concurrency: '0', logLevel: 'loud' },
        { FASTFLOW_NAMESPACE: 'UPPER' },
      ),
    ).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /--namespace \(FASTFLOW_NAMESPACE\)[\s\S]*--log-level \(FASTFLOW_LOG_LEVEL\)[\s\S]*--name \(FASTFLOW_NAME\)[\s\S]*--concurrency \(FASTFLOW_CONCURRENCY\)/,
        ),
      }),
    );
  });

  it('refuses renewDeadlineSecs not below leaseDurationSecs, and retryPeriodSecs not below renewDeadlineSecs', () => {
    expect(() =>
      loadConfig(
        OperatorConfig,
        { identity: 'op', leaseDurationSecs: 10, renewDeadlineSecs: 10 },
        {},
      ),
    ).toThrow(
      /--renew-deadline-secs \(FASTFLOW_RENEW_DEADLINE_SECS\): renewDeadlineSecs must be less than leaseDurationSecs/,
    );
    expect(() =>
      loadConfig(
        OperatorConfig,
        { identity: 'op', leaseDurationSecs: 10, renewDeadlineSecs: 12 },
        {},
      ),
    ).toThrow(ConfigInputError);
    expect(() => loadConfig(OperatorConfig, { identity: 'op', retryPeriodSecs: '10' }, {})).toThrow(
      /--retry-period-secs/,
    );
    expect(
      OperatorConfig.safeParse({ identity: 'op', leaseDurationSecs: 10, renewDeadlineSecs: 10 })
        .success,
    ).toBe(false);
    expect(
      loadConfig(
        OperatorConfig,
        { identity: 'op', leaseDurationSecs: '11', renewDeadlineSecs: '10' },
        {},
      ).leaseDurationSecs,
    ).toBe(11);
  });
});

describe('envName', () => {
  it('turns a camelCase key into FASTFLOW_SNAKE_CASE', () => {
    expect(envName('leaseNamespace')).toBe('FASTFLOW_LEASE_NAMESPACE');
    expect(envName('concurrency')).toBe('FASTFLOW_CONCURRENCY');
    expect(envName('renewDeadlineSecs')).toBe('FASTFLOW_RENEW_DEADLINE_SECS');
  });
});

describe('uniqueProcessName', () => {
  it('is the hostname, or the prefix, with a random 5-character suffix', () => {
    expect(uniqueProcessName()).toMatch(/^fastflow-worker-7d9f-[0-9a-f]{5}$/);
    expect(uniqueProcessName('My_Worker.local')).toMatch(/^my-worker-local-[0-9a-f]{5}$/);
    const many = new Set(Array.from({ length: 20 }, () => uniqueProcessName('w')));
    expect(many.size).toBeGreaterThan(1);
  });

  it('falls back to "worker" when nothing of the name is usable', () => {
    os.hostname = '---';
    expect(uniqueProcessName()).toMatch(/^worker-[0-9a-f]{5}$/);
    expect(uniqueProcessName('___')).toMatch(/^worker-[0-9a-f]{5}$/);
  });

  it('keeps a long hostname within 63 characters', () => {
    os.hostname = `${'a'.repeat(56)}-.b${'c'.repeat(80)}`;
    const name = uniqueProcessName();
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_LABEL);
  });

  it('gives a valid worker name (DNS label, at most 63 characters) for any hostname', () => {
    const anyName = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.stringMatching(/^[A-Za-z0-9._-]{0,120}$/),
    );
    fc.assert(
      fc.property(anyName, (host) => {
        os.hostname = host;
        for (const name of [uniqueProcessName(), uniqueProcessName(host)]) {
          expect(name.length).toBeLessThanOrEqual(63);
          expect(name).toMatch(DNS_LABEL);
          expect(name).toMatch(/-[0-9a-f]{5}$/);
          expect(WorkerName.safeParse(name).success).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
