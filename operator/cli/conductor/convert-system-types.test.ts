/** Conductor's system task types that become fastflow's system tasks, and sub-workflows. */
import { describe, expect, it } from 'vitest';
import {
  convertedSpec as dag,
  simpleTask as simple,
  type WorkflowDef as Def,
} from '../../../test/support/conductor-examples.ts';
import { convertWorkflow } from './convert.ts';

describe('Conductor system task types → Dag system tasks', () => {
  it('WAIT: a duration, a time, or a signal', () => {
    const wait = (inputParameters: Def): Def => ({
      name: 'w',
      taskReferenceName: `w${Object.keys(inputParameters).length}`,
      type: 'WAIT',
      inputParameters,
    });
    const spec = dag({
      tasks: [
        wait({ duration: '1 hours 30 minutes' }),
        { ...wait({ until: '2030-01-01 10:00 UTC', x: 1 }) },
        wait({}),
      ],
    });
    expect(spec.tasks.map((t) => t.wait)).toEqual([
      { duration: '1h30m' },
      { until: '2030-01-01T10:00:00Z' },
      {},
    ]);
  });

  it('HUMAN: an approval asking its description; TERMINATE: the phase, reason and output', () => {
    const spec = dag({
      tasks: [
        { name: 'ok', taskReferenceName: 'ok', type: 'HUMAN', description: 'ship it?' },
        {
          name: 't',
          taskReferenceName: 'stop',
          type: 'TERMINATE',
          inputParameters: {
            terminationStatus: 'FAILED',
            terminationReason: 'no',
            workflowOutput: { by: '${ok.output.by}' },
          },
        },
      ],
    });
    expect(spec.tasks[0]).toMatchObject({ type: 'approval', approval: { message: 'ship it?' } });
    expect(spec.tasks[1]).toMatchObject({
      type: 'terminate',
      terminate: { phase: 'Failed', reason: 'no', output: { by: '{{tasks.ok.output.by}}' } },
    });
  });

  it('SET_VARIABLE: setVars of declared vars; workflow variables are vars with defaults; lists and maps as JSON', () => {
    const spec = dag({
      inputParameters: ['items'],
      inputTemplate: { items: [1, 2] },
      variables: { stage: 'new' },
      tasks: [
        {
          name: 'sv',
          taskReferenceName: 'sv',
          type: 'SET_VARIABLE',
          inputParameters: { stage: 'done', seen: { n: 1 } },
        },
        simple('use', {
          inputParameters: { s: '${workflow.variables.stage}', i: '${workflow.input.items}' },
        }),
      ],
    });
    expect(spec.vars).toEqual({
      items: { defaultValue: '[1,2]' },
      stage: { defaultValue: 'new' },
      seen: { defaultValue: '' },
    });
    expect(spec.tasks[0]).toMatchObject({
      type: 'setVars',
      setVars: { stage: 'done', seen: '{"n":1}' },
    });
    expect(spec.tasks[1]?.params).toEqual({ s: '{{stage}}', i: '{{items}}' });
  });
});

describe('sub-workflows and the failure workflow', () => {
  it('SUB_WORKFLOW is a subDag task and failureWorkflow is spec.onFailure: the Dag validates', () => {
    const one = convertWorkflow(
      {
        name: 'parent_flow',
        failureWorkflow: 'clean_up',
        tasks: [
          {
            name: 'c',
            taskReferenceName: 'child',
            type: 'SUB_WORKFLOW',
            subWorkflowParam: { name: 'child_flow' },
            inputParameters: { n: 1 },
          },
        ],
      },
      [],
      'p.json',
    );
    expect(one.problems).toEqual([]);
    expect(one.dag?.manifest.spec).toMatchObject({
      onFailure: { dagName: 'clean-up' },
      tasks: [{ id: 'child', type: 'subDag', subDag: { dagName: 'child-flow', vars: { n: '1' } } }],
    });
  });
});
