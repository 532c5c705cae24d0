import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import {
  decideOnce,
  graphOf,
  start,
  succeededByRef,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import { storedOutputsToLoad } from './stored-outputs.ts';

// probe's output is above the inline bound: its entry names the data object, not the value.
const REF = 'run-probe-1-data';
const BIG = { env: 'prod', pad: 'x'.repeat(2000) };

const flows: Record<string, TaskSpec[]> = {
  switch: [
    task('probe'),
    {
      id: 'pick',
      type: 'switch',
      dependOn: ['probe'],
      switch: { expression: 'tasks.probe.output.env', cases: { prod: ['deploy'] } },
    },
    task('deploy', ['pick']),
  ],
  setVars: [
    task('probe'),
    {
      id: 'set',
      type: 'setVars',
      dependOn: ['probe'],
      setVars: { env: '{{tasks.probe.output.env}}' },
    },
  ],
  terminate: [
    task('probe'),
    {
      id: 'stop',
      type: 'terminate',
      dependOn: ['probe'],
      terminate: { phase: 'Succeeded', output: { env: '{{tasks.probe.output.env}}' } },
    },
  ],
  forEach: [
    task('probe'),
    { ...task('fan', ['probe']), forEach: { items: '[tasks.probe.output.env]' } },
  ],
};

/** The status once probe succeeded with its output stored by reference. */
function probed(tasks: TaskSpec[]): DagInstanceStatus {
  const graph = graphOf(tasks);
  return succeededByRef(decideOnce(graph, start(), [worker('w1')]).status, 'probe', REF);
}

function decideWithStored(tasks: TaskSpec[]) {
  const graph = graphOf(tasks);
  const status = probed(tasks);
  const storedOutputs = new Map([[REF, BIG]]);
  return decideOnce(graph, status, [worker('w1')], undefined, { storedOutputs }).status;
}

describe('system tasks read an upstream output stored by reference (outputRef)', () => {
  it('a switch picks the case the stored output names', () => {
    const status = decideWithStored(flows.switch!);
    expect(status.tasks?.pick).toMatchObject({
      phase: 'Succeeded',
      output: { selectedCase: 'prod' },
    });
  });

  it('setVars sets the value from the stored output', () => {
    expect(decideWithStored(flows.setVars!).vars).toEqual({ env: 'prod' });
  });

  it('terminate renders its output from the stored output', () => {
    expect(decideWithStored(flows.terminate!).output).toEqual({ env: 'prod' });
  });

  it("a fan-out's items come from the stored output", () => {
    expect(decideWithStored(flows.forEach!).tasks?.fan?.params).toEqual({ items: ['prod'] });
  });

  it('the reconciler loads only the references a system task still to decide reads', () => {
    for (const tasks of Object.values(flows)) {
      expect(storedOutputsToLoad(graphOf(tasks), probed(tasks).tasks ?? {})).toEqual([REF]);
    }
    const decided = decideWithStored(flows.setVars!);
    expect(storedOutputsToLoad(graphOf(flows.setVars!), decided.tasks ?? {})).toEqual([]);
    const inline = probed([task('probe'), task('next', ['probe'])]);
    expect(
      storedOutputsToLoad(graphOf([task('probe'), task('next', ['probe'])]), inline.tasks ?? {}),
    ).toEqual([]);
  });
});
