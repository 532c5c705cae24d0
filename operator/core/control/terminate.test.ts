import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import {
  at,
  graphOf,
  phases,
  report,
  start,
  step,
  succeededCondition,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';

/** check -> stop (terminate), beside a long task; after stop: never. */
function flow(phase: 'Succeeded' | 'Failed', output?: unknown): TaskSpec[] {
  return [
    task('check'),
    task('long'),
    {
      id: 'stop',
      type: 'terminate',
      dependOn: ['check'],
      terminate: { phase, reason: 'nothing to deploy', ...(output ? { output } : {}) },
    },
    task('never', ['stop']),
    task('other', ['long']),
  ];
}

function ended(phase: 'Succeeded' | 'Failed', output?: unknown) {
  const graph = graphOf(flow(phase, output));
  const w = [worker('w1')];
  let status = step(graph, start(), w).status;
  status = report(report(status, 'check', 'AttemptStarted'), 'check', 'AttemptSucceeded');
  status = {
    ...status,
    tasks: { ...status.tasks, check: { ...status.tasks!.check!, output: { n: 2 } } },
  };
  status = report(status, 'long', 'AttemptStarted');
  return { graph, w, decision: step(graph, status, w) };
}

describe('terminate', () => {
  it('ends the instance at once in its phase; running tasks are canceled, nothing starts after', () => {
    for (const phase of ['Succeeded', 'Failed'] as const) {
      const { graph, w, decision } = ended(phase);
      expect(decision.status.phase).toBe(phase);
      expect(phases(decision.status)).toMatchObject({ stop: 'Succeeded', long: 'Canceled' });
      expect(decision.status.tasks?.long).toMatchObject({
        reason: 'Terminated',
        message: 'the instance was ended by terminate task "stop"',
      });
      expect(decision.status.terminated).toMatchObject({
        task: 'stop',
        phase,
        reason: 'nothing to deploy',
      });
      expect(decision.status.message).toBe(`terminated by task stop: ${phase}: nothing to deploy`);
      expect(succeededCondition(decision.status)).toMatchObject({
        status: phase === 'Succeeded' ? 'True' : 'False',
        reason: 'Terminated',
      });
      // A later pass (a reconcile at a later time) starts nothing.
      const next = step(graph, decision.status, w, at(60));
      expect(next.assigned).toEqual([]);
      expect(next.status.phase).toBe(phase);
      expect(next.status.tasks?.other).toBeUndefined();
      expect(next.status.tasks?.never).toBeUndefined();
    }
  });

  it('gives the instance its output, templates rendered from upstream outputs', () => {
    const { decision } = ended('Succeeded', {
      count: '{{tasks.check.output.n}}',
      say: 'n={{tasks.check.output.n}}',
    });
    expect(decision.status.output).toEqual({ count: 2, say: 'n=2' });
    expect(decision.status.tasks?.stop?.output).toEqual({ count: 2, say: 'n=2' });
  });

  it('fails (not ends the instance) when its output is over 8 KiB', () => {
    const { decision } = ended('Succeeded', { big: 'x'.repeat(9000) });
    expect(decision.status.tasks?.stop).toMatchObject({
      phase: 'Failed',
      reason: 'SystemTaskFailed',
    });
    expect(decision.status.tasks?.stop?.message).toMatch(
      /^terminate.output is 9\d{3} bytes of JSON; at most 8192$/,
    );
    expect(decision.status.terminated).toBeUndefined();
  });
});
