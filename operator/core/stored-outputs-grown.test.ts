import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import {
  decideOnce,
  graphOf,
  report,
  start,
  succeededByRef,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import type { SubDagInput } from './control/sub-dag.ts';
import { storedOutputsToLoad } from './stored-outputs.ts';

// What a loop's while, a subDag's vars and the subDag copies of a fan-out
// read of outputs stored by reference (outputRef): loaded, then seen.

const REF = 'run-probe-data';
const BIG = { env: 'prod', pad: 'x'.repeat(2000) };
const none: SubDagInput = { depth: 0, children: new Map(), missingDags: new Set() };
const workers = [worker('w1')];

function decideBoth(tasks: TaskSpec[], status: DagInstanceStatus) {
  const graph = graphOf(tasks);
  const names = storedOutputsToLoad(graph, status.tasks ?? {});
  const storedOutputs = new Map(names.includes(REF) ? [[REF, BIG]] : []);
  return {
    names,
    status: decideOnce(graph, status, workers, undefined, { storedOutputs, subDags: none }).status,
  };
}

describe('outputs stored by reference, read by what decides while Running', () => {
  it("a loop's while reads its body's output of the iteration just done", () => {
    const flow: TaskSpec[] = [
      {
        id: 'poll',
        type: 'loop',
        loop: { body: ['probe'], while: 'tasks.probe.output.env != "prod"', maxIterations: 3 },
      },
      task('probe'),
    ];
    const first = decideOnce(graphOf(flow), start(), workers).status;
    const { names, status } = decideBoth(flow, succeededByRef(first, 'probe#1', REF));
    expect(names).toEqual([REF]);
    expect(status.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 1 });
  });

  it("a loop's while reads a task before the loop", () => {
    const flow: TaskSpec[] = [
      task('probe'),
      {
        id: 'poll',
        type: 'loop',
        dependOn: ['probe'],
        loop: { body: ['step'], while: 'tasks.probe.output.env != "prod"', maxIterations: 3 },
      },
      task('step'),
    ];
    const graph = graphOf(flow);
    let status = succeededByRef(decideOnce(graph, start(), workers).status, 'probe', REF);
    status = decideOnce(graph, status, workers, undefined, { subDags: none }).status;
    status = report(report(status, 'step#1', 'AttemptStarted'), 'step#1', 'AttemptSucceeded');
    const decided = decideBoth(flow, status);
    expect(decided.names).toEqual([REF]);
    expect(decided.status.tasks?.['poll']).toMatchObject({ phase: 'Succeeded', iteration: 1 });
  });

  it("a subDag's vars, and those of a subDag fan-out's copies", () => {
    const vars = { env: '{{tasks.probe.output.env}}' };
    const flow: TaskSpec[] = [
      task('probe'),
      { id: 'one', type: 'subDag', dependOn: ['probe'], subDag: { dagName: 'd', vars } },
      {
        id: 'many',
        type: 'subDag',
        dependOn: ['probe'],
        forEach: { items: '[1, 2]' },
        subDag: { dagName: 'd', vars },
      },
    ];
    const status = succeededByRef(decideOnce(graphOf(flow), start(), workers).status, 'probe', REF);
    const decided = decideBoth(flow, status);
    expect(decided.names).toEqual([REF]);
    for (const key of ['one', 'many[0]', 'many[1]']) {
      expect(decided.status.tasks?.[key]?.params).toEqual({ vars: { env: 'prod' } });
    }
    // While the fan-out runs, copies still to start read it too.
    expect(storedOutputsToLoad(graphOf(flow), decided.status.tasks ?? {})).toEqual([REF]);
  });
});
