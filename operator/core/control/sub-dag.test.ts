import { describe, expect, it } from 'vitest';
import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import { DagInstanceStatus } from '../../api/dag-instance.ts';
import { validateDag } from '../validate-dag.ts';
import {
  at,
  decideOnce,
  graphOf,
  phases,
  report,
  start,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';
import { MAX_SUBDAG_DEPTH } from '../../api/grown-tasks.ts';
import { childKey, subDagLoop, type ChildView, type SubDagInput } from './sub-dag.ts';

// subDag tasks through decide(), with the children as the operator's cache
// shows them: each pass reads them anew, so what a pass decides depends on
// the status and the children alone (a restart loses nothing).

const workers = [worker('w1')];
const deploy: TaskSpec = {
  id: 'deploy',
  type: 'subDag',
  dependOn: ['build'],
  subDag: {
    dagName: 'rollout',
    vars: { version: '{{tasks.build.output.version}}', cluster: '{{cluster}}' },
  },
};
const graph = graphOf([task('build'), deploy, task('notify', ['deploy'])]);
const none: SubDagInput = { depth: 0, children: new Map(), missingDags: new Set() };
const seeing = (children: Record<string, ChildView>, more: Partial<SubDagInput> = {}) => ({
  ...none,
  children: new Map(Object.entries(children)),
  ...more,
});

/** The status with build placed and succeeded. */
function buildDone(g: ReturnType<typeof graphOf>) {
  const placed = decideOnce(g, start(), workers, at(1), { vars: { cluster: 'eu' } });
  return report(report(placed.status, 'build', 'AttemptStarted'), 'build', 'AttemptSucceeded');
}

/** build succeeded with an output; the next pass starts deploy. */
function started(subDags: SubDagInput = none) {
  const done = buildDone(graph);
  done.tasks = { ...done.tasks, build: { ...done.tasks!['build']!, output: { version: '1.2' } } };
  return decideOnce(graph, done, workers, at(2), { vars: { cluster: 'eu' }, subDags });
}

describe('a subDag task', () => {
  it('starts on no worker, its rendered vars recorded as its params', () => {
    const d = started();
    expect(d.status.tasks?.['deploy']).toMatchObject({
      phase: 'Running',
      reason: 'ChildRunning',
      attempt: 1,
      params: { vars: { version: '1.2', cluster: 'eu' } },
    });
    expect(d.status.tasks?.['deploy']?.worker).toBeUndefined();
    expect(d.assigned).toEqual([]);
    expect(DagInstanceStatus.safeParse(d.status).success).toBe(true);
    // Deciding again with no child seen yet changes nothing (the operator creates it).
    const again = decideOnce(graph, d.status, workers, at(3), { subDags: none });
    expect(again.status.tasks?.['deploy']).toEqual(d.status.tasks?.['deploy']);
  });

  it('says which child runs it while the child runs', () => {
    const running = seeing({ [childKey('deploy', 1)]: { name: 'p-deploy-1', state: 'running' } });
    const d = decideOnce(graph, started().status, workers, at(3), { subDags: running });
    expect(d.status.tasks?.['deploy']?.message).toBe(
      'running child instance p-deploy-1 (Dag rollout)',
    );
    expect(d.status.tasks?.['deploy']?.phase).toBe('Running');
  });

  it("succeeds with the child's output, and its dependants are placed in the same pass", () => {
    const child = { name: 'p-deploy-1', state: 'succeeded', output: { url: 'x' } } as const;
    const d = decideOnce(graph, started().status, workers, at(3), {
      subDags: seeing({ [childKey('deploy', 1)]: child }),
    });
    expect(d.status.tasks?.['deploy']).toMatchObject({
      phase: 'Succeeded',
      output: { url: 'x' },
      message: 'child instance p-deploy-1 succeeded',
    });
    expect(d.status.tasks?.['deploy']?.reason).toBeUndefined();
    expect(d.assigned).toEqual([{ task: 'notify', worker: 'w1', attempt: 1 }]);
  });

  it('takes a large output by reference', () => {
    const child = { name: 'c', state: 'succeeded', outputRef: 'p-dabc-1' } as const;
    const d = decideOnce(graph, started().status, workers, at(3), {
      subDags: seeing({ [childKey('deploy', 1)]: child }),
    });
    expect(d.status.tasks?.['deploy']).toMatchObject({ phase: 'Succeeded', outputRef: 'p-dabc-1' });
  });

  it('fails when its child fails, and a retry runs attempt 2 (a new child), blind to the old one', () => {
    const spec = { ...deploy, retry: { limit: 1, backoff: { seconds: 0, factor: 1 } } };
    const g = graphOf([task('build'), spec, task('notify', ['deploy'])]);
    const failedChild = seeing({
      [childKey('deploy', 1)]: {
        name: 'c1',
        state: 'failed',
        reason: 'ChildFailed',
        message: 'boom',
      },
    });
    const d = decideOnce(g, started().status, workers, at(3), {
      subDags: failedChild,
      vars: { cluster: 'eu' },
    });
    expect(d.status.tasks?.['deploy']).toMatchObject({
      phase: 'Running',
      reason: 'ChildRunning',
      attempt: 2,
    });
    expect(d.status.tasks?.['deploy']?.history?.[0]).toMatchObject({
      attempt: 1,
      phase: 'Failed',
      reason: 'ChildFailed',
      message: 'boom',
    });
    const without = decideOnce(graph, started().status, workers, at(3), { subDags: failedChild });
    expect(phases(without.status)).toMatchObject({ deploy: 'Failed' });
    expect(without.status.phase).toBe('Failed');
  });

  it('fails clearly when its Dag does not exist', () => {
    const d = decideOnce(graph, started().status, workers, at(3), {
      subDags: seeing({}, { missingDags: new Set(['rollout']) }),
    });
    expect(d.status.tasks?.['deploy']).toMatchObject({
      phase: 'Failed',
      reason: 'SubDagMissing',
      message: 'subDag: Dag "rollout" does not exist in this namespace',
    });
  });

  it(`fails, never retried, ${MAX_SUBDAG_DEPTH} levels down`, () => {
    const spec = { ...deploy, retry: { limit: 3 } };
    const g = graphOf([task('build'), spec]);
    const d = decideOnce(g, buildDone(g), workers, at(2), {
      subDags: { ...none, depth: MAX_SUBDAG_DEPTH },
    });
    expect(d.status.tasks?.['deploy']).toMatchObject({ phase: 'Failed', reason: 'SubDagTooDeep' });
    expect(d.status.tasks?.['deploy']?.message).toContain('nest at most 10 deep');
  });

  it('fails when its vars do not render', () => {
    const bad = {
      ...deploy,
      subDag: { dagName: 'rollout', vars: { v: '{{tasks.nope.output.x}}' } },
    };
    const g = graphOf([task('build'), bad]);
    const d = decideOnce(g, buildDone(g), workers, at(2));
    expect(d.status.tasks?.['deploy']).toMatchObject({
      phase: 'Failed',
      reason: 'SystemTaskFailed',
    });
  });
});

describe('validation', () => {
  const dag = (tasks: TaskSpec[]): DagSpec => ({ tasks });

  it('asks for the subDag field', () => {
    expect(validateDag(dag([{ id: 'x', type: 'subDag' }]))).toEqual({
      valid: false,
      reason: 'MissingSubDag',
      message: 'spec.tasks[0].subDag: task "x" of type subDag needs subDag: {dagName: <Dag>}',
    });
  });

  it('finds a Dag that runs itself, directly or through others', () => {
    const runs = (name: string): DagSpec =>
      dag([{ id: 's', type: 'subDag', subDag: { dagName: name } }]);
    const dags: Record<string, DagSpec> = { b: runs('c'), c: runs('a'), d: runs('d') };
    expect(subDagLoop('a', runs('a'), (n) => dags[n])).toEqual(['a', 'a']);
    expect(subDagLoop('a', runs('b'), (n) => dags[n])).toEqual(['a', 'b', 'c', 'a']);
    // A loop elsewhere (d runs d) is d's problem, and a Dag not visible ends the path.
    expect(subDagLoop('a', runs('d'), (n) => dags[n])).toBeUndefined();
    expect(subDagLoop('a', runs('zz'), (n) => dags[n])).toBeUndefined();
    // The Dag reconciler and the instance starter say so (Dag VALID False, instance not started).
    const a = dag([task('first'), { id: 's', type: 'subDag', subDag: { dagName: 'b' } }]);
    expect(validateDag(a, { name: 'a', dagOf: (n) => dags[n] })).toEqual({
      valid: false,
      reason: 'SubDagLoop',
      message: 'spec.tasks[1].subDag.dagName: Dag "a" runs itself as a sub-DAG: a -> b -> c -> a',
    });
  });
});
