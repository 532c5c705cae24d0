import { describe, expect, it } from 'vitest';
import type { DagSpec } from '../api/dag.ts';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { instanceEvents } from './instance-events.ts';
import { onFailureRun } from './on-failure.ts';

const spec: DagSpec = {
  tasks: [{ id: 'build', actionName: 'Build' }],
  onFailure: {
    dagName: 'page-oncall',
    vars: { team: '{{team}}', built: '{{tasks.build.output.v}}' },
  },
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
const of = (status: DagInstanceStatus, more: { isOnFailureRun?: boolean } = {}) =>
  onFailureRun(spec, {
    name: 'ship-1',
    status,
    vars: { team: 'infra' },
    isOnFailureRun: more.isOnFailureRun ?? false,
  });

describe('onFailure', () => {
  it("runs its Dag with the failed instance's name, reason and failed tasks, and its own vars", () => {
    expect(of(failed)).toEqual({
      dagName: 'page-oncall',
      vars: {
        failedInstance: 'ship-1',
        reason: '2 tasks failed: deploy, build',
        failedTasks: 'build,deploy',
        team: 'infra',
        built: 'x',
      },
    });
  });

  it('runs once, only for Failed, never for an onFailure run itself', () => {
    expect(of({ ...failed, onFailureInstance: 'ship-1-on-failure' })).toBeUndefined();
    expect(of({ ...failed, phase: 'Canceled' })).toBeUndefined();
    expect(of({ ...failed, phase: 'Succeeded' })).toBeUndefined();
    expect(of(failed, { isOnFailureRun: true })).toBeUndefined();
    expect(
      onFailureRun(
        { tasks: spec.tasks },
        { name: 'x', status: failed, vars: {}, isOnFailureRun: false },
      ),
    ).toBeUndefined();
  });

  it('vars that do not render: it runs without them, and its reason says why', () => {
    const run = onFailureRun(
      { ...spec, onFailure: { dagName: 'page-oncall', vars: { t: '{{tasks.nope.output.x}}' } } },
      { name: 'ship-1', status: failed, vars: {}, isOnFailureRun: false },
    );
    expect(Object.keys(run?.vars ?? {})).toEqual(['failedInstance', 'reason', 'failedTasks']);
    expect(run?.vars['reason']).toMatch(
      /^2 tasks failed: deploy, build \(onFailure\.vars not given: /,
    );
  });

  it('leaves one Event when its run is recorded', () => {
    const events = instanceEvents(failed, { ...failed, onFailureInstance: 'ship-1-on-failure' });
    expect(events).toEqual([
      {
        type: 'Normal',
        reason: 'OnFailureStarted',
        action: 'Start',
        note: 'started onFailure instance ship-1-on-failure',
      },
    ]);
  });
});
