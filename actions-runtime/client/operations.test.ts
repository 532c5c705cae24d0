import { describe, expect, it } from 'vitest';
import { MAX_OPERATION_VALUE } from '../../operator/api/dag-instance.ts';
import { recordedValue } from '../../operator/core/operations.ts';
import { fakeCluster, instance, rejection } from '../../test/support/fake-client-cluster.ts';

describe('FastflowClient operations: values the operator would refuse', () => {
  const tasks = Array.from({ length: 60 }, (_, i) => `deploy-region-${i}`);

  it('refuses a task list too long for the annotation, before writing anything', async () => {
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': instance() });
    const e = await rejection(client.retry('run-1', tasks, { wait: false }));
    expect(e.reason).toBe('Invalid');
    expect(e.message).toMatch(
      new RegExp(
        `^retry: fastflow.io/retry would be \\d+ characters long \\(a token and 60 task names\\), more than the ${MAX_OPERATION_VALUE}`,
      ),
    );
    expect(calls.filter((c) => c.verb === 'patch')).toEqual([]);
    // As many as fit go through.
    expect(await client.retry('run-1', tasks.slice(0, 40), { wait: false })).toContain(':deploy');
  });

  it('does not wait on a too-long value someone else set once the operator refused it', async () => {
    const long = `theirs:${tasks.join(',')}`.repeat(2);
    const refused = instance({
      operations: {
        cancel: {
          value: recordedValue(long),
          result: 'Refused',
          message: 'cancel: too long',
          at: '2026-01-01T00:00:00.000Z',
        },
      },
    });
    refused.metadata.annotations = { 'fastflow.io/cancel': long };
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': refused });
    await client.cancel('run-1', [], { wait: false, timeoutMs: 300 });
    expect(calls.filter((c) => c.verb === 'patch')).toHaveLength(1);
  });

  it('writes a rerun as <token>:<task>?vars, and refuses a var name that cannot be one', async () => {
    const { client, calls } = fakeCluster({ 'daginstances/team-a/run-1': instance() });
    const timeoutMs = 200;
    const vars = { region: 'us east', size: 'a&b' };
    await rejection(client.rerun('run-1', 'deploy', { vars, timeoutMs }));
    const patch = calls.find((c) => c.verb === 'patch')?.args['body'] as {
      metadata: { annotations: Record<string, string> };
    };
    const value = patch.metadata.annotations['fastflow.io/rerun'] ?? '';
    expect(value).toMatch(/^[0-9a-z]+:deploy\?region=us\+east&size=a%26b$/);
    const bad = await rejection(
      client.rerun('run-1', 'deploy', { vars: { 'no pe': 'x' }, timeoutMs }),
    );
    expect(bad).toMatchObject({ reason: 'Invalid', message: 'rerun: "no pe" is not a var name' });
  });
});
