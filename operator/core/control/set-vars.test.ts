import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { MAX_SET_VARS_BYTES } from '../../api/task-types.ts';
import {
  graphOf,
  phases,
  report,
  start,
  step,
  task,
  worker,
} from '../../../test/support/decide-fixtures.ts';

const onlyProd = {
  act: 'skip' as const,
  conditions: [{ source: 'vars' as const, key: 'env', op: 'ne' as const, values: ['prod'] }],
};

/** probe -> set (env := probe's output) -> deploy (skipped unless env is prod). */
function flow(value = '{{tasks.probe.output.env}}'): TaskSpec[] {
  return [
    task('probe'),
    { id: 'set', type: 'setVars', dependOn: ['probe'], setVars: { env: value } },
    { ...task('deploy', ['set']), preCheck: [onlyProd] },
  ];
}

function afterProbe(tasks: TaskSpec[], output: unknown, vars = { env: 'dev' }) {
  const graph = graphOf(tasks);
  const w = [worker('w1')];
  let status = step(graph, start(), w, undefined, { vars }).status;
  status = report(status, 'probe', 'AttemptStarted');
  status = { ...status, tasks: { ...status.tasks, probe: { ...status.tasks!.probe!, output } } };
  status = report(status, 'probe', 'AttemptSucceeded');
  return step(graph, status, w, undefined, { vars });
}

describe('setVars', () => {
  it('gives a var a new value that the next preCheck reads in the same pass; recorded in status.vars', () => {
    const d = afterProbe(flow(), { env: 'prod' });
    expect(d.status.vars).toEqual({ env: 'prod' });
    expect(d.status.tasks?.set).toMatchObject({
      phase: 'Succeeded',
      output: { env: 'prod' },
      message: 'set env',
    });
    expect(phases(d.status)).toMatchObject({ deploy: 'Scheduled' });
  });

  it('without it the spec value holds (the check skips deploy)', () => {
    const d = afterProbe(flow(), { env: 'staging' });
    expect(phases(d.status)).toMatchObject({ deploy: 'Skipped' });
  });

  it('a value that is one reference to a number becomes its JSON text', () => {
    const d = afterProbe(flow('{{tasks.probe.output.n}}'), { n: 3 });
    expect(d.status.vars).toEqual({ env: '3' });
  });

  it(`fails when the vars set would take more than ${MAX_SET_VARS_BYTES} bytes, or a template does not render`, () => {
    const big = afterProbe(flow(), { env: 'x'.repeat(MAX_SET_VARS_BYTES) });
    expect(big.status.tasks?.set).toMatchObject({ phase: 'Failed', reason: 'SystemTaskFailed' });
    expect(big.status.tasks?.set?.message).toMatch(/at most 16384$/);
    expect(big.status.vars).toBeUndefined();
    const missing = afterProbe(flow(), { other: 1 });
    expect(missing.status.tasks?.set?.message).toContain('setVars.env: {{tasks.probe.output.env}}');
  });
});
