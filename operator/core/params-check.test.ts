import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ActionSchemaSet } from '../api/action-schemas.ts';
import type { DagSpec } from '../api/dag.ts';
import { checkParams, describeParamsCheck } from './params-check.ts';

// The schemas as a worker advertises them: zod's own JSON Schema of the action's types.
const json = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
const SCHEMAS: ActionSchemaSet = {
  Scale: {
    params: json(
      z.object({
        replicas: z.number().int(),
        name: z.string(),
        mode: z.enum(['fast', 'safe']).default('safe'),
        labels: z.record(z.string(), z.string()).optional(),
      }),
      'input',
    ),
  },
  Plan: {
    params: json(z.object({}), 'input'),
    output: json(
      z.object({ count: z.number(), target: z.string(), hosts: z.array(z.string()) }),
      'output',
    ),
  },
};

const check = (tasks: DagSpec['tasks'], vars?: DagSpec['vars']) =>
  checkParams({ tasks, ...(vars ? { vars } : {}) }, SCHEMAS);

describe('checkParams', () => {
  it('passes params that fit, templates of the right type included', () => {
    const r = check(
      [
        { id: 'plan', actionName: 'Plan' },
        {
          id: 'scale',
          actionName: 'Scale',
          dependOn: ['plan'],
          params: { replicas: '{{tasks.plan.output.count}}', name: 'web-{{env}}', mode: 'fast' },
        },
      ],
      { env: { defaultValue: 'dev' } },
    );
    expect(r).toEqual({ problems: [], unknownActions: [] });
  });

  it('refuses a literal string where the schema wants a number', () => {
    const r = check([{ id: 's', actionName: 'Scale', params: { replicas: 'three', name: 'web' } }]);
    expect(r.problems).toEqual([
      {
        task: 's',
        path: 'spec.tasks[0].params.replicas',
        message:
          'task "s" (action Scale): spec.tasks[0].params.replicas: expected integer, given string "three"',
      },
    ]);
  });

  it('refuses a var, and an output declared a string, passed whole into a number', () => {
    const r = check(
      [
        { id: 'plan', actionName: 'Plan' },
        {
          id: 'a',
          actionName: 'Scale',
          dependOn: ['plan'],
          params: { replicas: '{{n}}', name: 'x' },
        },
        {
          id: 'b',
          actionName: 'Scale',
          dependOn: ['plan'],
          params: { replicas: '{{tasks.plan.output.target}}', name: 'x' },
        },
      ],
      { n: { defaultValue: '3' } },
    );
    expect(r.problems.map((p) => p.message)).toEqual([
      'task "a" (action Scale): spec.tasks[1].params.replicas: expected integer, given the var {{n}} (string)',
      'task "b" (action Scale): spec.tasks[2].params.replicas: expected integer, given the output {{tasks.plan.output.target}} (string)',
    ]);
  });

  it('reports a missing required param, a value outside an enum, and a list where an object goes', () => {
    const r = check([
      { id: 's', actionName: 'Scale', params: { replicas: 2, mode: 'slow', labels: ['a'] } },
    ]);
    expect(r.problems.map((p) => [p.path, p.message.split(': ').slice(2).join(': ')])).toEqual([
      ['spec.tasks[0].params.name', 'expected a required string, given nothing'],
      ['spec.tasks[0].params.mode', 'expected one of "fast", "safe", given "slow"'],
      ['spec.tasks[0].params.labels', 'expected object, given array ["a"]'],
    ]);
  });

  it('does not check what it cannot know: an output with no schema, a path the schema lacks', () => {
    const r = check([
      { id: 'scale1', actionName: 'Scale', params: { replicas: 1, name: 'a' } },
      {
        id: 's',
        actionName: 'Scale',
        dependOn: ['scale1'],
        params: { replicas: '{{tasks.scale1.output.n}}', name: '{{tasks.scale1.output}}' },
      },
    ]);
    expect(r.problems).toEqual([]);
  });

  it('warns of an action no worker advertises, and does not fail for it', () => {
    const r = check([{ id: 'x', actionName: 'Later', params: { anything: 1 } }]);
    expect(r).toEqual({ problems: [], unknownActions: ['Later'] });
    expect(describeParamsCheck(r)).toBe(
      'not checked: no live worker advertises "Later" (its worker may start later)',
    );
  });
});
