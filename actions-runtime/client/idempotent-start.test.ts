import { describe, expect, it } from 'vitest';
import { fakeCluster, rejection } from '../../test/support/fake-client-cluster.ts';
import { idempotentName } from './idempotent-start.ts';

const DEPLOY = {
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'Dag',
  metadata: { name: 'deploy', namespace: 'team-a' },
  spec: { tasks: [{ id: 'a', actionName: 'print' }] },
};

describe('idempotent start', () => {
  it('derives a stable valid name from the Dag and the key', () => {
    const name = idempotentName('deploy', 'order-17');
    expect(name).toMatch(/^deploy-[0-9a-f]{16}$/);
    expect(idempotentName('deploy', 'order-17')).toBe(name);
    expect(idempotentName('deploy', 'order-18')).not.toBe(name);
    expect(idempotentName('other', 'order-17')).not.toBe(name);
    const long = idempotentName(`${'a'.repeat(45)}-b`, 'k');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a{45}-[0-9a-f]{16}$/);
  });

  it('returns the instance a key started, and creates it once', async () => {
    const { client, calls } = fakeCluster({ 'dags/team-a/deploy': DEPLOY });
    const first = await client.startDag('deploy', {}, { idempotencyKey: 'order-17' });
    expect(first).toEqual({ name: idempotentName('deploy', 'order-17'), created: true });
    const created = calls.find((c) => c.verb === 'create')?.args['body'] as {
      metadata: Record<string, unknown>;
    };
    expect(created.metadata['annotations']).toEqual({ 'fastflow.io/idempotency-key': 'order-17' });
    const second = await client.startDag('deploy', {}, { idempotencyKey: 'order-17' });
    expect(second).toEqual({ name: first.name, created: false });
    expect(await client.runDag('deploy', {}, { idempotencyKey: 'order-17' })).toBe(first.name);
    expect(calls.filter((c) => c.verb === 'create')).toHaveLength(1);
  });

  it('refuses a key with a name, an empty key, and a same-named instance of another key', async () => {
    const { client, objects } = fakeCluster({ 'dags/team-a/deploy': DEPLOY });
    const both = await rejection(client.runDag('deploy', {}, { name: 'x', idempotencyKey: 'k' }));
    expect(both).toMatchObject({ reason: 'Invalid', message: expect.stringMatching(/not both/) });
    const empty = await rejection(client.runDag('deploy', {}, { idempotencyKey: '' }));
    expect(empty.message).toMatch(/^idempotency key: 1 to 1024 characters/);
    const name = idempotentName('deploy', 'k');
    objects[`daginstances/team-a/${name}`] = {
      metadata: { name, namespace: 'team-a' },
      spec: { dagRef: { name: 'deploy' } },
    };
    const squatted = await rejection(client.runDag('deploy', {}, { idempotencyKey: 'k' }));
    expect(squatted.message).toMatch(/exists but was not started from Dag "deploy" with this/);
  });
});
