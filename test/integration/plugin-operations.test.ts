/**
 * `kubectl fastflow cancel`, `retry` and `continue` as a user runs them (see
 * test/support/plugin-cli.ts): what the operator applied, or why it refused.
 */
import { describe, expect, it } from 'vitest';
import { lines, plugin, usePluginCluster } from '../support/plugin-cli.ts';

const cluster = usePluginCluster();

describe('kubectl fastflow cancel / retry / continue', () => {
  it('cancels a running instance; a second cancel is refused with the operator message', async () => {
    const start = await plugin(['run', 'nap', '-n', cluster.ns, '--name', 'nap-1']);
    expect(start).toMatchObject({ code: 0, stdout: 'daginstance.fastflow.io/nap-1 created\n' });
    await cluster.env.waitForInstance(
      'nap-1',
      (i) => i.status?.tasks?.['nap']?.phase === 'Running',
    );
    const cancel = await plugin(['cancel', 'nap-1', '-n', cluster.ns]);
    expect(cancel).toEqual({
      code: 0,
      stdout: 'daginstance/nap-1: cancel applied: nap, after\n',
      stderr: '',
    });
    expect((await cluster.env.finished('nap-1')).status?.phase).toBe('Canceled');
    const again = await plugin(['cancel', 'nap-1', '-n', cluster.ns]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'error: daginstance/nap-1: cancel refused by the operator: every task has already finished\n',
    });
  });

  it('retries a failed task, refusing one that has not failed', async () => {
    await cluster.env.createInstance('shaky-1', 'shaky');
    await cluster.env.waitForInstance('shaky-1', (i) => i.status?.phase === 'Failed');
    const wrong = await plugin(['retry', 'shaky-1', 'after', '-n', cluster.ns]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^error: daginstance\/shaky-1: retry refused by the operator: .*only failed or canceled tasks can be retried \(after is Pending\)\n$/,
    );
    const retry = await plugin(['retry', 'shaky-1', 'shaky', '-n', cluster.ns]);
    expect(retry).toEqual({
      code: 0,
      stdout: 'daginstance/shaky-1: retry applied: shaky\n',
      stderr: '',
    });
    const done = await cluster.env.waitForInstance(
      'shaky-1',
      (i) => i.status?.phase === 'Succeeded',
    );
    expect(done.status?.tasks?.['shaky']).toMatchObject({ phase: 'Succeeded', attempt: 2 });
  });

  it('continues a blocked task', async () => {
    expect((await plugin(['run', 'gate', '-n', cluster.ns, '--name', 'gate-1'])).code).toBe(0);
    await cluster.env.waitForInstance('gate-1', (i) => i.status?.phase === 'Blocked');
    const tree = await plugin(['tree', 'gate-1', '-n', cluster.ns]);
    expect(lines(tree.stdout)[1]).toBe('deploy  Blocked  PreCheck: blocked by preCheck "approval"');
    const r = await plugin(['continue', 'gate-1', '-n', cluster.ns]);
    expect(r).toEqual({
      code: 0,
      stdout: 'daginstance/gate-1: continue applied: deploy\n',
      stderr: '',
    });
    expect((await cluster.env.finished('gate-1')).status?.phase).toBe('Succeeded');
  });
});
