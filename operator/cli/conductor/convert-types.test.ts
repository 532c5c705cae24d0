import { describe, expect, it } from 'vitest';
import {
  convertedSpec as dag,
  simpleTask as simple,
} from '../../../test/support/conductor-examples.ts';

describe('Conductor task types → Dag tasks', () => {
  it('SIMPLE: the action is its name, the id its reference, the list order a dependOn chain', () => {
    const spec = dag({
      tasks: [
        { name: 'charge_card', taskReferenceName: 'charge', inputParameters: { amount: 3 } },
        simple('receipt', { optional: true, description: 'mail it', retryCount: 2 }),
      ],
    });
    expect(spec.tasks).toEqual([
      { id: 'charge', actionName: 'charge_card', params: { amount: 3 } },
      {
        id: 'receipt',
        dependOn: ['charge'],
        actionName: 'print',
        optional: true,
        desc: 'mail it',
        retry: { limit: 2 },
      },
    ]);
  });

  it('HTTP: the http action; the response fields read flat', () => {
    const spec = dag({
      inputParameters: ['base'],
      inputTemplate: { base: 'https://api.example.com' },
      tasks: [
        {
          name: 'call',
          taskReferenceName: 'call',
          type: 'HTTP',
          inputParameters: {
            http_request: {
              uri: '${workflow.input.base}/orders',
              method: 'post',
              accept: 'application/json',
              contentType: 'application/json',
              headers: { 'X-Trace': 'abc' },
              body: { item: 'book' },
              connectionTimeOut: 1500,
              readTimeOut: 3000,
            },
          },
        },
        simple('show', {
          inputParameters: {
            id: '${call.output.response.body.id}',
            code: '${call.output.response.statusCode}',
          },
        }),
      ],
    });
    expect(spec.tasks[0]).toEqual({
      id: 'call',
      actionName: 'http',
      params: {
        url: '{{base}}/orders',
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'X-Trace': 'abc',
        },
        body: { item: 'book' },
        timeoutSeconds: 5,
      },
    });
    expect(spec.tasks[1]?.params).toEqual({
      id: '{{tasks.call.output.body.id}}',
      code: '{{tasks.call.output.statusCode}}',
    });
  });

  it('JSON_JQ_TRANSFORM: the transform action, with the same output names', () => {
    const spec = dag({
      tasks: [
        {
          name: 'jq',
          taskReferenceName: 'shape',
          type: 'JSON_JQ_TRANSFORM',
          inputParameters: { queryExpression: '{n: .x}', x: 1 },
        },
        simple('use', { inputParameters: { n: '${shape.output.result.n}' } }),
      ],
    });
    expect(spec.tasks[0]).toEqual({
      id: 'shape',
      actionName: 'transform',
      params: { queryExpression: '{n: .x}', x: 1 },
    });
    expect(spec.tasks[1]?.params).toEqual({ n: '{{tasks.shape.output.result.n}}' });
  });

  it('SWITCH: branches depend on the switch, the next task on every branch end (and on the switch without a default)', () => {
    const spec = dag({
      inputParameters: ['env'],
      tasks: [
        {
          name: 'route',
          taskReferenceName: 'route',
          type: 'SWITCH',
          evaluatorType: 'javascript',
          expression: "$.env == 'prod' ? 'prod' : 'other'",
          inputParameters: { env: '${workflow.input.env}' },
          decisionCases: { prod: [simple('p1'), simple('p2')], other: [] },
        },
        simple('after'),
      ],
    });
    expect(spec.tasks).toEqual([
      {
        id: 'route',
        type: 'switch',
        switch: {
          expression: 'vars.env == "prod" ? "prod" : "other"',
          cases: { prod: ['p1', 'p2'], other: [] },
        },
      },
      { id: 'p1', dependOn: ['route'], actionName: 'print' },
      { id: 'p2', dependOn: ['p1'], actionName: 'print' },
      { id: 'after', dependOn: ['p2', 'route'], actionName: 'print' },
    ]);
    expect(spec.vars).toEqual({ env: {} });
  });

  it('SWITCH value-param and DECISION: the case is an input value; nested switches list all their tasks', () => {
    const spec = dag({
      tasks: [
        simple('plan'),
        {
          name: 'd',
          taskReferenceName: 'd',
          type: 'DECISION',
          caseValueParam: 'kind',
          inputParameters: { kind: '${plan.output.kind}' },
          decisionCases: {
            a: [
              {
                name: 's',
                taskReferenceName: 's',
                type: 'SWITCH',
                expression: 'n',
                inputParameters: { n: 3 },
                decisionCases: { '3': [simple('three')] },
                defaultCase: [simple('other')],
              },
            ],
          },
          defaultCase: [simple('b')],
        },
      ],
    });
    expect(spec.tasks.find((t) => t.id === 'd')?.switch).toEqual({
      expression: 'tasks.plan.output.kind',
      cases: { a: ['s', 'three', 'other'] },
      default: ['b'],
    });
    expect(spec.tasks.find((t) => t.id === 's')?.switch).toEqual({
      expression: '3',
      cases: { '3': ['three'] },
      default: ['other'],
    });
  });

  it('FORK_JOIN and JOIN: branches start together; what follows the JOIN depends on its joinOn; JOIN output reads a branch', () => {
    const spec = dag({
      tasks: [
        simple('start'),
        {
          name: 'f',
          taskReferenceName: 'fork',
          type: 'FORK_JOIN',
          forkTasks: [[simple('a1'), simple('a2')], [simple('b1')]],
        },
        { name: 'j', taskReferenceName: 'join', type: 'JOIN', joinOn: ['a2', 'b1'] },
        simple('end', { inputParameters: { a: '${join.output.a2.x}' } }),
      ],
    });
    expect(spec.tasks.map((t) => [t.id, t.dependOn ?? []])).toEqual([
      ['start', []],
      ['a1', ['start']],
      ['a2', ['a1']],
      ['b1', ['start']],
      ['end', ['a2', 'b1']],
    ]);
    expect(spec.tasks[4]?.params).toEqual({ a: '{{tasks.a2.output.x}}' });
  });
});
