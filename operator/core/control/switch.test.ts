import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import {
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';
import { usesShareData } from '../prechecks.ts';

/** build -> route (switch on vars.env) -> prod-a -> prod-b | stage | dev; all -> notify. */
function routed(expression = 'vars.env', extra: Partial<TaskSpec> = {}): TaskSpec[] {
  return [
    task('build'),
    {
      id: 'route',
      type: 'switch',
      dependOn: ['build'],
      switch: {
        expression,
        cases: { prod: ['prod-a', 'prod-b'], staging: ['stage'] },
        default: ['dev'],
      },
      ...extra,
    },
    task('prod-a', ['route']),
    task('prod-b', ['prod-a']),
    task('stage', ['route']),
    task('dev', ['route']),
    task('notify', ['prod-b', 'stage', 'dev']),
  ];
}

/** Runs build to success, then decides once: the switch and its branch in the same pass. */
function afterBuild(tasks: TaskSpec[], vars: Record<string, string>) {
  const graph = graphOf(tasks);
  const w = [worker('w1')];
  let status = step(graph, start(), w, undefined, { vars }).status;
  status = report(report(status, 'build', 'AttemptStarted'), 'build', 'AttemptSucceeded');
  return { graph, w, decision: step(graph, status, w, undefined, { vars }) };
}

describe('switch', () => {
  it('picks the case its expression names; the other branches are Skipped in the same pass', () => {
    const { decision } = afterBuild(routed(), { env: 'prod' });
    expect(phases(decision.status)).toMatchObject({
      route: 'Succeeded',
      'prod-a': 'Scheduled',
      stage: 'Skipped',
      dev: 'Skipped',
    });
    expect(decision.status.tasks?.route).toMatchObject({
      output: { selectedCase: 'prod', evaluationResult: 'prod' },
      message: 'picked case "prod"',
    });
    expect(decision.status.tasks?.stage).toMatchObject({
      reason: 'BranchNotTaken',
      message: 'switch "route" picked case "prod": not in this branch',
    });
    // The switch held no worker: only the branch's first task was assigned.
    expect(decision.assigned.map((a) => a.task)).toEqual(['prod-a']);
    expect(decision.status.tasks?.route?.worker).toBeUndefined();
  });

  it('skips a whole branch (a chain) and the join after it follows the skip rule', () => {
    const { graph, w, decision } = afterBuild(routed(), { env: 'staging' });
    expect(phases(decision.status)).toMatchObject({
      'prod-a': 'Skipped',
      'prod-b': 'Skipped',
      stage: 'Scheduled',
      dev: 'Skipped',
    });
    let status = report(decision.status, 'stage', 'AttemptStarted');
    status = report(status, 'stage', 'AttemptSucceeded');
    const next = step(graph, status, w, undefined, { vars: { env: 'staging' } });
    expect(next.assigned.map((a) => a.task)).toEqual(['notify']);
  });

  it('picks default when no case matches, and says so', () => {
    const { decision } = afterBuild(routed(), { env: 'qa' });
    expect(decision.status.tasks?.route).toMatchObject({
      output: { selectedCase: 'default', evaluationResult: 'qa' },
      message: 'no case "qa": picked default',
    });
    expect(phases(decision.status)).toMatchObject({ dev: 'Scheduled', stage: 'Skipped' });
  });

  it('names a case by an int or a bool as CEL writes it, and reads upstream outputs', () => {
    const tasks = routed('tasks.build.output.replicas > 2').map((t) =>
      t.id === 'route' && t.switch
        ? {
            ...t,
            switch: { expression: t.switch.expression, cases: { true: ['prod-a', 'prod-b'] } },
          }
        : t,
    );
    const graph = graphOf(tasks);
    const w = [worker('w1')];
    let status = step(graph, start(), w).status;
    status = report(status, 'build', 'AttemptStarted');
    status = {
      ...status,
      tasks: { ...status.tasks, build: { ...status.tasks!.build!, output: { replicas: 3 } } },
    };
    status = report(status, 'build', 'AttemptSucceeded');
    const d = step(graph, status, w);
    expect(d.status.tasks?.route?.output).toEqual({
      selectedCase: 'true',
      evaluationResult: 'true',
    });
    // Tasks no case lists (stage, dev) are not the switch's: they run after it.
    expect(phases(d.status)).toMatchObject({ 'prod-a': 'Scheduled', stage: 'Scheduled' });
  });

  it('fails (SystemTaskFailed) when the expression fails or names no case; the instance fails', () => {
    for (const [expression, message] of [
      ['vars.missing', 'switch expression: No such key: missing'],
      [
        '[1, 2]',
        'switch expression returned a list; it must return a string, an int or a bool naming a case',
      ],
    ] as const) {
      const { decision } = afterBuild(routed(expression), { env: 'prod' });
      expect(decision.status.tasks?.route).toMatchObject({
        phase: 'Failed',
        reason: 'SystemTaskFailed',
        message,
      });
      expect(decision.status.phase).toBe('Failed');
    }
  });

  it('a failed switch is retried under its policy in the same pass (each pass a fixed point)', () => {
    const retry = { limit: 2, backoff: { seconds: 0, factor: 1 } };
    const { decision } = afterBuild(routed('vars.missing', { retry }), { env: 'prod' });
    expect(decision.status.tasks?.route).toMatchObject({ phase: 'Failed', attempt: 3 });
    expect(decision.status.tasks?.route?.history?.map((h) => h.attempt)).toEqual([1, 2]);
    const later = afterBuild(
      routed('vars.missing', { retry: { limit: 1, backoff: { seconds: 30, factor: 1 } } }),
      {
        env: 'prod',
      },
    );
    expect(later.decision.status.tasks?.route).toMatchObject({ phase: 'Retrying', attempt: 1 });
    expect(later.decision.wakeAt).toBeDefined();
  });

  it('a switch that is skipped (preCheck) skips every branch it lists', () => {
    const check = {
      act: 'skip' as const,
      conditions: [{ source: 'vars' as const, key: 'env', op: 'exists' as const }],
    };
    const { decision } = afterBuild(routed('vars.env', { preCheck: [check] }), { env: 'prod' });
    expect(phases(decision.status)).toMatchObject({
      route: 'Skipped',
      'prod-a': 'Skipped',
      'prod-b': 'Skipped',
      stage: 'Skipped',
      dev: 'Skipped',
      notify: 'Scheduled',
    });
    expect(decision.status.tasks?.dev?.message).toBe(
      'switch "route" ended Skipped: not in this branch',
    );
  });

  it('chained switches are decided in one pass, on no worker (no hop per system task)', () => {
    const tasks: TaskSpec[] = [
      {
        id: 's1',
        type: 'switch',
        switch: { expression: '"a"', cases: { a: ['s2'] }, default: ['x'] },
      },
      {
        id: 's2',
        type: 'switch',
        dependOn: ['s1'],
        switch: { expression: '"b"', cases: { b: ['y'] } },
      },
      task('x', ['s1']),
      task('y', ['s2']),
    ];
    const d = step(graphOf(tasks), start(), []);
    expect(phases(d.status)).toMatchObject({ s1: 'Succeeded', s2: 'Succeeded', x: 'Skipped' });
    // y waits for a worker with its action: the only thing left to wait for.
    expect(d.waitingFor).toEqual(['Print']);
  });
});

describe('what a system task reads', () => {
  it('the operator loads share data for a switch or a rendered value that reads it, and only then', () => {
    const reads = (t: TaskSpec) => usesShareData([t]);
    expect(
      reads({ id: 's', type: 'switch', switch: { expression: 'shareData.k == "x"', cases: {} } }),
    ).toBe(true);
    expect(reads({ id: 's', type: 'setVars', setVars: { v: '{{.shareData.k}}' } })).toBe(true);
    expect(
      reads({
        id: 's',
        type: 'terminate',
        terminate: { phase: 'Failed', output: '{{.shareData.k}}' },
      }),
    ).toBe(true);
    expect(reads({ id: 's', type: 'switch', switch: { expression: 'vars.k', cases: {} } })).toBe(
      false,
    );
  });
});
