import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../../operator/api/dag-instance.ts';
import { LocalAttempts, type AttemptChange } from './local-attempts.ts';

const ME = 'w1-abcde';
const OTHER = 'w2-fghij';

function status(tasks: Record<string, TaskStatus>, dagRevision = 'dag-1234'): DagInstanceStatus {
  return { phase: 'Running', dagRevision, tasks };
}

function scheduled(worker = ME, attempt = 1): TaskStatus {
  return { phase: 'Scheduled', worker, attempt };
}

function summary(changes: AttemptChange[]): string[] {
  return changes.map(
    (c) =>
      `${c.type} ${c.attempt.namespace}/${c.attempt.instance}/${c.attempt.task}#${c.attempt.attempt}`,
  );
}

describe('LocalAttempts', () => {
  it('starts an attempt assigned to us in phase Scheduled, with the snapshot revision', () => {
    const local = new LocalAttempts(ME);
    const changes = local.observe('ns', 'i1', status({ a: scheduled() }));
    expect(summary(changes)).toEqual(['start ns/i1/a#1']);
    const a = changes[0]?.attempt;
    expect(a).toMatchObject({ dagRevision: 'dag-1234', state: 'queued' });
    expect(a?.abort.signal.aborted).toBe(false);
    expect(local.size).toBe(1);
    expect(local.all()).toEqual([a]);
  });

  it('§13.16 starts it only once when the same view or a stale one arrives again', () => {
    const local = new LocalAttempts(ME);
    const view = status({ a: scheduled() });
    expect(local.observe('ns', 'i1', view)).toHaveLength(1);
    expect(local.observe('ns', 'i1', view)).toEqual([]);
    // Our Running report is visible, then a stale event still says Scheduled.
    expect(
      local.observe('ns', 'i1', status({ a: { phase: 'Running', worker: ME, attempt: 1 } })),
    ).toEqual([]);
    expect(local.observe('ns', 'i1', view)).toEqual([]);
    expect(local.size).toBe(1);
  });

  it("ignores other workers' tasks, Running entries it does not know, and entries without attempt", () => {
    const local = new LocalAttempts(ME);
    const changes = local.observe(
      'ns',
      'i1',
      status({
        a: scheduled(OTHER),
        b: { phase: 'Running', worker: ME, attempt: 1 },
        c: { phase: 'Scheduled', worker: ME },
        d: { phase: 'Pending' },
        e: { phase: 'Succeeded', worker: ME, attempt: 1 },
      }),
    );
    expect(changes).toEqual([]);
    expect(local.size).toBe(0);
  });

  it('starts nothing until the instance has a snapshot revision', () => {
    const local = new LocalAttempts(ME);
    expect(local.observe('ns', 'i1', { tasks: { a: scheduled() } })).toEqual([]);
    expect(local.observe('ns', 'i1', undefined)).toEqual([]);
    expect(local.size).toBe(0);
  });

  it('keeps instances and namespaces apart', () => {
    const local = new LocalAttempts(ME);
    local.observe('ns', 'i1', status({ a: scheduled() }));
    expect(summary(local.observe('ns', 'i2', status({ a: scheduled() })))).toEqual([
      'start ns/i2/a#1',
    ]);
    expect(summary(local.observe('other', 'i1', status({ a: scheduled() })))).toEqual([
      'start other/i1/a#1',
    ]);
    // A view of i2 without task a says nothing about i1's task a.
    expect(summary(local.observe('ns', 'i2', status({}))).sort()).toEqual(['abort ns/i2/a#1']);
    expect(local.size).toBe(3);
  });

  it('aborts an attempt reassigned to another worker', () => {
    const local = new LocalAttempts(ME);
    local.observe('ns', 'i1', status({ a: scheduled() }));
    const changes = local.observe('ns', 'i1', status({ a: scheduled(OTHER, 2) }));
    expect(summary(changes)).toEqual(['abort ns/i1/a#1']);
    expect(changes[0]).toMatchObject({ why: 'the attempt is no longer assigned here' });
  });

  it('aborts an attempt replaced by a newer attempt on this worker, and starts the new one', () => {
    const local = new LocalAttempts(ME);
    local.observe('ns', 'i1', status({ a: scheduled(ME, 1) }));
    const changes = local.observe('ns', 'i1', status({ a: scheduled(ME, 2) }));
    expect(summary(changes)).toEqual(['abort ns/i1/a#1', 'start ns/i1/a#2']);
  });

  it('aborts a running attempt whose entry disappeared or ended without its report', () => {
    const local = new LocalAttempts(ME);
    const [change] = local.observe('ns', 'i1', status({ a: scheduled(), b: scheduled() }));
    if (change) change.attempt.state = 'running';
    expect(
      summary(
        local.observe('ns', 'i1', status({ b: { phase: 'Canceled', worker: ME, attempt: 1 } })),
      ),
    ).toEqual(['abort ns/i1/a#1', 'abort ns/i1/b#1']);
  });

  it('keeps a done attempt while the status still shows it Scheduled or Running', () => {
    const local = new LocalAttempts(ME);
    const [change] = local.observe('ns', 'i1', status({ a: scheduled() }));
    if (!change) throw new Error('not started');
    change.attempt.state = 'done';
    expect(local.observe('ns', 'i1', status({ a: scheduled() }))).toEqual([]);
    expect(
      local.observe('ns', 'i1', status({ a: { phase: 'Running', worker: ME, attempt: 1 } })),
    ).toEqual([]);
    expect(local.size).toBe(1);
  });

  it('forgets a done attempt once its final phase is visible', () => {
    const local = new LocalAttempts(ME);
    const [change] = local.observe('ns', 'i1', status({ a: scheduled() }));
    if (!change) throw new Error('not started');
    change.attempt.state = 'done';
    expect(
      local.observe('ns', 'i1', status({ a: { phase: 'Succeeded', worker: ME, attempt: 1 } })),
    ).toEqual([]);
    expect(local.size).toBe(0);
  });

  it('forgets a done attempt that was reassigned, without aborting it', () => {
    const local = new LocalAttempts(ME);
    const [change] = local.observe('ns', 'i1', status({ a: scheduled() }));
    if (!change) throw new Error('not started');
    change.attempt.state = 'done';
    expect(local.observe('ns', 'i1', status({ a: scheduled(OTHER, 2) }))).toEqual([]);
    expect(local.size).toBe(0);
  });

  it('forgetInstance returns and drops every attempt of that instance only', () => {
    const local = new LocalAttempts(ME);
    local.observe('ns', 'i1', status({ a: scheduled(), b: scheduled() }));
    local.observe('ns', 'i2', status({ a: scheduled() }));
    const gone = local.forgetInstance('ns', 'i1');
    expect(gone.map((a) => a.task).sort()).toEqual(['a', 'b']);
    expect(local.all().map((a) => `${a.instance}/${a.task}`)).toEqual(['i2/a']);
    expect(local.forgetInstance('ns', 'i1')).toEqual([]);
  });
});
