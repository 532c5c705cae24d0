import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../../operator/api/dag-instance.ts';
import { ChainStarts } from './chain-starts.ts';
import type { InstanceView } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';

function attempt(task: string, n: number, after?: string): LocalAttempt {
  return {
    namespace: 'ns',
    instance: 'i',
    task,
    attempt: n,
    dagRevision: 'rev',
    ...(after ? { after } : {}),
    abort: new AbortController(),
    state: 'queued',
  };
}

const view = (tasks: DagInstanceStatus['tasks']): InstanceView => ({
  uid: 'u',
  spec: { dagRef: { name: 'd' } },
  status: { tasks },
});
const running = { phase: 'Running' as const, worker: 'w', attempt: 1 };
const waiting = { phase: 'Scheduled' as const, worker: 'w', attempt: 1, after: 'a@1' };

function setup(): { chain: ChainStarts; started: Array<{ task: string; view: InstanceView }> } {
  const started: Array<{ task: string; view: InstanceView }> = [];
  const chain = new ChainStarts((a, v) => started.push({ task: a.task, view: v }));
  return { chain, started };
}

describe('ChainStarts', () => {
  it("starts a pre-assigned attempt when its parent's action succeeds, with the parent's output", () => {
    const { chain, started } = setup();
    const a = attempt('a', 1);
    chain.hold(a, view({ a: running }));
    expect(started.map((s) => s.task)).toEqual(['a']);
    const b = attempt('b', 1, 'a@1');
    chain.hold(b, view({ a: running, b: waiting }));
    expect(chain.hasSuccessor(a)).toBe(true);
    expect(started).toHaveLength(1);
    chain.finished(a, { ok: true, output: { ip: '10.0.0.1' } });
    expect(started.map((s) => s.task)).toEqual(['a', 'b']);
    // Rendered from memory: the status the worker has does not show a's output yet.
    expect(started[1]?.view.status.tasks?.['a']).toMatchObject({
      phase: 'Succeeded',
      output: { ip: '10.0.0.1' },
    });
  });

  it('never starts one behind a parent that failed, and calls it done', () => {
    const { chain, started } = setup();
    const b = attempt('b', 1, 'a@1');
    chain.hold(b, view({ a: running, b: waiting }));
    chain.finished(attempt('a', 1), { ok: false });
    expect(started).toEqual([]);
    expect(b.state).toBe('done');
    // Assigned after its parent already failed here: never started either.
    const late = attempt('b', 2, 'a@1');
    chain.hold(late, view({ a: running, b: { ...waiting, attempt: 2 } }));
    expect(started).toEqual([]);
    expect(late.state).toBe('done');
  });

  it('starts at once one assigned after its parent finished here, or shown Succeeded in the status', () => {
    const { chain, started } = setup();
    chain.finished(attempt('a', 1), { ok: true, output: 1 });
    chain.hold(attempt('b', 1, 'a@1'), view({ a: running, b: waiting }));
    expect(started[0]?.view.status.tasks?.['a']).toMatchObject({ phase: 'Succeeded', output: 1 });
    // A parent this worker did not see end (it was not its own): the status decides.
    const c = attempt('c', 1, 'x@3');
    chain.hold(c, view({ x: { phase: 'Running', worker: 'other', attempt: 3 } }));
    expect(started).toHaveLength(1);
    chain.observe('ns', 'i', view({ x: { phase: 'Succeeded', worker: 'other', attempt: 3 } }));
    expect(started.map((s) => s.task)).toEqual(['b', 'c']);
  });

  it('drops a waiting attempt taken away (voided), and forgets outcomes the status has folded', () => {
    const { chain, started } = setup();
    const b = attempt('b', 1, 'a@1');
    chain.hold(b, view({ a: running, b: waiting }));
    b.abort.abort(new Error('no longer assigned'));
    expect(b.state).toBe('done');
    chain.finished(attempt('a', 1), { ok: true });
    expect(started).toEqual([]);
    // a is folded Succeeded: its kept outcome goes; a successor now renders from the status.
    chain.observe('ns', 'i', view({ a: { ...running, phase: 'Succeeded', output: 2 } }));
    chain.hold(attempt('b', 2, 'a@1'), view({ a: { ...running, phase: 'Succeeded', output: 2 } }));
    expect(started[0]?.view.status.tasks?.['a']?.output).toBe(2);
  });
});
