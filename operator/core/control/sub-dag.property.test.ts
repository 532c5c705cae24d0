import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import type { DagInstanceStatus } from '../../api/dag-instance.ts';
import {
  at,
  decideOnce,
  graphOf,
  report,
  start,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';
import { childKey, childVarsOf, type ChildView, type SubDagInput } from './sub-dag.ts';

/**
 * A subDag task run against random children: each attempt's child runs for
 * some passes, then succeeds, fails or is canceled; the operator may die
 * between a decision and the create (the child appears a few passes late),
 * and every pass decides from the status and the children alone. Whatever
 * happens, the task holds no worker, each pass is a fixed point, and it ends
 * as the model says: the first child that succeeds within the retry limit
 * gives its output, else the last attempt fails.
 */
const script = fc.record({
  runs: fc.integer({ min: 0, max: 3 }),
  ends: fc.constantFrom('succeeds', 'fails', 'canceled'),
  lateBy: fc.integer({ min: 0, max: 2 }),
});

const workers = [worker('w1')];

describe('a subDag task, against random children and restarts', () => {
  it('ends as the model says, holding no worker, each pass a fixed point', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(script, { minLength: 4, maxLength: 4 }),
        (limit, scripts) => {
          const spec: TaskSpec = {
            id: 'deploy',
            type: 'subDag',
            dependOn: ['build'],
            subDag: { dagName: 'child', vars: { n: '{{tasks.build.output.n}}' } },
            retry: { limit, backoff: { seconds: 0, factor: 1 } },
          };
          const graph = graphOf([task('build'), spec, task('notify', ['deploy'])]);
          /** Passes each attempt's child has been seen since it was created; absent: not created. */
          const seen = new Map<number, number>();
          /** Passes each attempt has waited for its create (the operator died before it). */
          const waited = new Map<number, number>();
          const view = (attempt: number): ChildView | undefined => {
            const passes = seen.get(attempt);
            const s = scripts[attempt - 1];
            if (passes === undefined || s === undefined) return undefined;
            const name = `p-deploy-${attempt}`;
            if (passes < s.runs) return { name, state: 'running' };
            if (s.ends === 'succeeds') return { name, state: 'succeeded', output: { attempt } };
            return { name, state: 'failed', reason: 'ChildFailed', message: s.ends };
          };
          const input = (): SubDagInput => {
            const children = new Map<string, ChildView>();
            for (const a of seen.keys()) {
              const v = view(a);
              if (v) children.set(childKey('deploy', a), v);
            }
            return { depth: 0, children, missingDags: new Set() };
          };
          let status: DagInstanceStatus = start();
          for (let pass = 1; pass < 60; pass++) {
            const subDags = input();
            const d = decideOnce(graph, status, workers, at(pass), { subDags });
            // A restart decides again from what was written: the same.
            expect(decideOnce(graph, d.status, workers, at(pass), { subDags }).status).toEqual(
              d.status,
            );
            status = d.status;
            for (const a of d.assigned) {
              status = report(report(status, a.task, 'AttemptStarted'), a.task, 'AttemptSucceeded');
              if (a.task === 'build') {
                const entry = { ...status.tasks!['build']!, output: { n: 1 } };
                status = { ...status, tasks: { ...status.tasks, build: entry } };
              }
            }
            const entry = status.tasks?.['deploy'];
            expect(entry?.worker).toBeUndefined();
            // The controller's sync after the write: create the child unless the operator dies first.
            const attempt = entry?.attempt ?? 0;
            if (entry && childVarsOf(entry)) {
              expect(childVarsOf(entry)).toEqual({ n: '1' });
              const w = waited.get(attempt) ?? 0;
              if (seen.has(attempt)) seen.set(attempt, (seen.get(attempt) ?? 0) + 1);
              else if (w >= (scripts[attempt - 1]?.lateBy ?? 0)) seen.set(attempt, 0);
              else waited.set(attempt, w + 1);
            }
            if (status.phase === 'Succeeded' || status.phase === 'Failed') break;
          }
          const first = scripts.slice(0, limit + 1).findIndex((s) => s.ends === 'succeeds');
          const deploy = status.tasks?.['deploy'];
          if (first >= 0) {
            expect(status.phase).toBe('Succeeded');
            expect(deploy).toMatchObject({ phase: 'Succeeded', attempt: first + 1 });
            expect(deploy?.output).toEqual({ attempt: first + 1 });
          } else {
            expect(status.phase).toBe('Failed');
            expect(deploy).toMatchObject({
              phase: 'Failed',
              reason: 'ChildFailed',
              attempt: limit + 1,
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
