import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import {
  at,
  foldReports,
  graphOf,
  phases,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import { branchGate, workerSeesSwitchInputs } from './control/switch-branch.ts';
import { foldResults } from './fold-results.ts';

/** build -> route (switch) -> prod | stage | dev (default); prod -> after-prod. */
function routed(expression: string, prodParams?: Record<string, unknown>): TaskSpec[] {
  return [
    task('build'),
    {
      id: 'route',
      type: 'switch',
      dependOn: ['build'],
      switch: { expression, cases: { prod: ['prod'], staging: ['stage'] }, default: ['dev'] },
    },
    { ...task('prod', ['route']), ...(prodParams ? { params: prodParams } : {}) },
    task('after-prod', ['prod']),
    task('stage', ['route']),
    task('dev', ['route']),
  ];
}

const w = [worker('w1'), worker('w2')];
const L = { chainLookAhead: 4, vars: { env: 'prod' } };

describe('a switch looked past: its branches pre-assigned behind its dependency', () => {
  it('pre-assigns the first task of each branch to the dependency’s worker, after it and its switch', () => {
    const graph = graphOf(routed('vars.env'));
    const tasks = step(graph, start(), w, at(1), L).status.tasks ?? {};
    expect(tasks['build']).toMatchObject({ phase: 'Scheduled', worker: 'w1' });
    for (const [id, cases] of [
      ['prod', ['prod']],
      ['stage', ['staging']],
      ['dev', ['default']],
    ] as const) {
      expect(tasks[id]).toMatchObject({
        phase: 'Scheduled',
        worker: 'w1',
        attempt: 1,
        after: 'build@1',
        afterCase: { switch: 'route', cases },
      });
    }
    // The switch itself holds nothing; what follows a branch's first task waits for it.
    expect(tasks['route']).toBeUndefined();
    expect(tasks['after-prod']).toBeUndefined();
  });

  it('the chosen branch runs on, the others are Skipped, in the pass that decides the switch', () => {
    const graph = graphOf(routed('vars.env'));
    let s = step(graph, start(), w, at(1), L).status;
    // The worker picked prod: build's result and prod's start in one write.
    const f = foldReports(s, { 'build@1': 'Succeeded', 'prod@1': 'Running' });
    // prod's start waits for the operator's own decision of the switch.
    expect(f.outcomes.find((o) => o.key === 'prod@1')?.outcome).toBe('held');
    const d = step(graph, f.status, w, at(2), L);
    s = d.status;
    expect(phases(s)).toMatchObject({
      build: 'Succeeded',
      route: 'Succeeded',
      prod: 'Scheduled',
      stage: 'Skipped',
      dev: 'Skipped',
    });
    expect(s.tasks?.['prod']?.after).toBeUndefined();
    expect(s.tasks?.['prod']?.afterCase).toBeUndefined();
    expect(s.tasks?.['stage']).toMatchObject({ reason: 'BranchNotTaken', voided: 1 });
    // The chain behind the chosen branch is pre-assigned as any chain.
    expect(s.tasks?.['after-prod']).toMatchObject({ after: 'prod@1', worker: 'w1' });
    // The held start folds now: one attempt of prod, on w1.
    const g = foldReports(s, { 'prod@1': 'Running' });
    expect(g.status.tasks?.['prod']).toMatchObject({ phase: 'Running', attempt: 1 });
  });

  it('a worker that picked another branch is fenced out, and the right branch runs', () => {
    const graph = graphOf(routed('vars.env'));
    const s = step(graph, start(), w, at(1), L).status;
    // The worker saw env as staging (say, share data changed between): it started stage.
    const f = foldReports(s, { 'build@1': 'Succeeded', 'stage@1': 'Running' });
    const d = step(graph, f.status, w, at(2), L);
    expect(phases(d.status)).toMatchObject({ prod: 'Scheduled', stage: 'Skipped', dev: 'Skipped' });
    expect(d.status.tasks?.['stage']).toMatchObject({ reason: 'BranchNotTaken', voided: 1 });
    // Its late report is stale: the attempt is voided, never folded.
    const g = foldReports(d.status, { 'stage@1': 'Running' });
    expect(g.outcomes[0]?.outcome).toBe('stale');
    expect(g.status.tasks?.['stage']?.phase).toBe('Skipped');
    // prod, never started by the worker, is its to start now that the switch picked it.
    expect(d.status.tasks?.['prod']).toMatchObject({ worker: 'w1', attempt: 1 });
  });

  it('voids every branch when the dependency fails', () => {
    const graph = graphOf(routed('vars.env'));
    const s = step(graph, start(), w, at(1), L).status;
    const failed = foldResults(s.tasks ?? {}, [
      { worker: 'w1', results: { 'build@1': { phase: 'Failed', reason: 'ActionFailed' } } },
    ]);
    const d = step(graph, { ...s, tasks: failed.tasks }, w, at(2), L);
    for (const id of ['prod', 'stage', 'dev'])
      expect(d.status.tasks?.[id]?.phase).not.toBe('Scheduled');
  });

  it('is not done when the worker could not see what the switch reads as the operator will', () => {
    const notLookedPast = (tasks: TaskSpec[]): void => {
      const s = step(graphOf(tasks), start(), w, at(1), L).status;
      expect(s.tasks?.['prod']).toBeUndefined();
    };
    notLookedPast(routed('tasks[vars.env].output')); // a computed task key
    notLookedPast(routed("tasks.stage.phase == 'Succeeded' ? 'a' : 'b'")); // an unfinished task
    notLookedPast(routed('vars.env', { at: '{{tasks.route.output.selectedCase}}' })); // its output
    // Looked past: the dependency's own output, vars and share data.
    const s = step(graphOf(routed('tasks.build.output.env + shareData.x')), start(), w, at(1), L);
    expect(s.status.tasks?.['prod']).toMatchObject({ after: 'build@1' });
  });

  it('reads of other tasks: only finished ones with an inline output', () => {
    const done = { phase: 'Succeeded' as const, output: { k: 1 } };
    expect(workerSeesSwitchInputs('tasks.a.output.k', 'p', { a: done })).toBe(true);
    expect(workerSeesSwitchInputs('tasks.a.output.k', 'p', { a: { phase: 'Running' } })).toBe(
      false,
    );
    const stored = { ...done, outputRef: 'cm' };
    expect(workerSeesSwitchInputs("tasks['a'].output", 'p', { a: stored })).toBe(false);
    expect(workerSeesSwitchInputs('tasks.exists(t, t == "a")', 'p', {})).toBe(false);
  });

  it('gates a branch step on the switch: wait, then open for its case, closed for another', () => {
    const branch = { switch: 'route', cases: ['prod'] };
    const decided = (selectedCase: string) => ({
      route: { phase: 'Succeeded' as const, output: { selectedCase, evaluationResult: 'x' } },
    });
    expect(branchGate({}, branch)).toBe('wait');
    expect(branchGate(decided('prod'), branch)).toBe('open');
    expect(branchGate(decided('staging'), branch)).toBe('closed');
    expect(branchGate({ route: { phase: 'Failed' } }, branch)).toBe('closed');
  });
});
