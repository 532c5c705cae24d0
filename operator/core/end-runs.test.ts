import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { endRuns, type Ended } from './end-runs.ts';
import { instanceEvents } from './instance-events.ts';

const spec: DagSpec = {
  tasks: [{ id: 'build', actionName: 'Build' }],
  onFailure: {
    dagName: 'page-oncall',
    vars: { team: '{{team}}', built: '{{tasks.build.output.v}}' },
  },
  onExit: { dagName: 'clean-up' },
};
const failed: DagInstanceStatus = {
  phase: 'Failed',
  message: '2 tasks failed: deploy, build',
  tasks: {
    build: { phase: 'Failed', reason: 'ActionFailed', output: { v: 'x' } },
    deploy: { phase: 'Failed', reason: 'ActionFailed' },
    lint: { phase: 'Succeeded' },
  },
};
const ended = (status: DagInstanceStatus, more: Partial<Ended> = {}): Ended => ({
  name: 'ship-1',
  status,
  vars: { team: 'infra' },
  isEndRun: false,
  ...more,
});

describe('onFailure and onExit', () => {
  it("a failed instance runs both, with its name, reason and failed tasks, and the runs' own vars", () => {
    const common = { reason: '2 tasks failed: deploy, build', failedTasks: 'build,deploy' };
    expect(endRuns(spec, ended(failed))).toEqual([
      {
        kind: 'onFailure',
        dagName: 'page-oncall',
        vars: { failedInstance: 'ship-1', ...common, team: 'infra', built: 'x' },
      },
      {
        kind: 'onExit',
        dagName: 'clean-up',
        vars: { instance: 'ship-1', phase: 'Failed', ...common },
      },
    ]);
  });

  it('onExit for every end, onFailure only for Failed; each once; none for an end run itself', () => {
    const kinds = (s: DagInstanceStatus, more: Partial<Ended> = {}) =>
      endRuns(spec, ended(s, more)).map((r) => r.kind);
    expect(kinds({ ...failed, phase: 'Succeeded' })).toEqual(['onExit']);
    expect(kinds({ ...failed, phase: 'Canceled' })).toEqual(['onExit']);
    expect(kinds({ ...failed, phase: 'Running' })).toEqual([]);
    expect(kinds({ ...failed, onFailureInstance: 'ship-1-on-failure' })).toEqual(['onExit']);
    expect(kinds({ ...failed, onExitInstance: 'ship-1-on-exit' })).toEqual(['onFailure']);
    expect(kinds(failed, { isEndRun: true })).toEqual([]);
    expect(endRuns({ tasks: spec.tasks }, ended(failed))).toEqual([]);
  });

  it('vars that do not render: it runs without them, and its reason says why', () => {
    const bad = { dagName: 'page-oncall', vars: { t: '{{tasks.nope.output.x}}' } };
    const [run] = endRuns({ tasks: spec.tasks, onFailure: bad }, ended(failed));
    expect(Object.keys(run?.vars ?? {})).toEqual(['failedInstance', 'reason', 'failedTasks']);
    expect(run?.vars['reason']).toMatch(
      /^2 tasks failed: deploy, build \(onFailure\.vars not given: /,
    );
  });

  it('leaves one Event per run recorded', () => {
    const after = {
      ...failed,
      onFailureInstance: 'ship-1-on-failure',
      onExitInstance: 'ship-1-on-exit',
    };
    expect(instanceEvents(failed, after)).toEqual([
      {
        type: 'Normal',
        reason: 'OnFailureStarted',
        action: 'Start',
        note: 'started onFailure instance ship-1-on-failure',
      },
      {
        type: 'Normal',
        reason: 'OnExitStarted',
        action: 'Start',
        note: 'started onExit instance ship-1-on-exit',
      },
    ]);
  });

  it('names the failed copies and iterations by their keys, in item order, without loop mirrors', () => {
    const grown: DagSpec = {
      tasks: [
        { id: 'fanout', actionName: 'A', forEach: { items: '[1]' } },
        { id: 'poll', type: 'loop', loop: { body: ['step'], while: 'true', maxIterations: 9 } },
        { id: 'step', actionName: 'A' },
      ],
      onExit: { dagName: 'clean-up' },
    };
    const no = { phase: 'Failed' as const, reason: 'ActionFailed' as const };
    const status: DagInstanceStatus = {
      phase: 'Failed',
      tasks: {
        'fanout[10]': no,
        'fanout[3]': no,
        'fanout[4]': { phase: 'Succeeded' },
        fanout: { phase: 'Failed', reason: 'GrownTaskFailed' },
        poll: { phase: 'Failed', reason: 'GrownTaskFailed' },
        step: no,
        'step#2': no,
      },
    };
    const [run] = endRuns(grown, ended(status));
    expect(run?.vars['failedTasks']).toBe('fanout,fanout[3],fanout[10],poll,step#2');
  });
});
