import { describe, expect, it } from 'vitest';
import { parseReferences, toCel, toTemplate, type TargetOf } from './references.ts';
import { goDuration, rfc3339 } from './wait-times.ts';

const same: TargetOf = (r) => ({ task: r.ref, path: r.path });

function template(s: string): string {
  const parsed = parseReferences(s);
  if (!parsed.ok) throw new Error(parsed.message);
  const out = toTemplate(parsed.pieces, same);
  if (typeof out !== 'string') throw new Error(out.error);
  return out;
}

function refused(s: string): string {
  const parsed = parseReferences(s);
  return parsed.ok ? 'parsed' : parsed.message;
}

describe('Conductor references → templates', () => {
  it.each([
    ['${workflow.input.env}', '{{env}}'],
    ['${workflow.variables.stage}', '{{stage}}'],
    ['${plan.output}', '{{tasks.plan.output}}'],
    ['${plan.output.result.items[0].name}', '{{tasks.plan.output.result.items.0.name}}'],
    ["${plan.output['a.b']}", '{{tasks.plan.output["a.b"]}}'],
    [
      'order ${workflow.input.id} in ${plan.output.region}',
      'order {{id}} in {{tasks.plan.output.region}}',
    ],
    ['costs $${price}', 'costs ${price}'],
    ['literal {{braces}}', 'literal {{"{{"}}braces}}'],
  ])('%s → %s', (conductor, ours) => {
    expect(template(conductor)).toBe(ours);
  });

  it.each([
    ['${workflow.input}', 'only a whole input or variable converts'],
    ['${workflow.input.a.b}', 'only a whole input or variable converts'],
    ['${workflow.workflowId}', 'has no equivalent'],
    ['${plan.input.x}', "only a task's output is recorded"],
    ['${plan.output.items[*].id}', 'wildcards'],
    ['${plan.output..id}', 'wildcards'],
    ['${a.output.${workflow.input.k}}', 'a reference inside a reference'],
    ['${workflow.input.x', 'is not closed'],
  ])('%s does not convert', (conductor, why) => {
    expect(refused(conductor)).toContain(why);
  });

  it('as CEL: a var is a string, an output a selection, text is concatenated', () => {
    const parsed = parseReferences('v-${workflow.input.env}-${plan.output.n}');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(toCel(parsed.pieces, same)).toMatchObject({
      cel: '"v-" + vars.env + "-" + string(tasks.plan.output.n)',
      kind: 'string',
    });
  });
});

describe('WAIT times', () => {
  it.each([
    ['2 days 3 hours', '51h'],
    ['10 minutes 30 seconds', '10m30s'],
    ['1 seconds', '1s'],
    ['5m', '5m'],
    ['1d 2h 3m 4s', '26h3m4s'],
  ])('duration %s → %s', (conductor, go) => {
    expect(goDuration(conductor)).toEqual({ duration: go });
  });

  it('a duration that is not Conductor’s form is refused', () => {
    expect(goDuration('soon')).toMatchObject({ error: expect.stringContaining('"soon"') });
    expect(goDuration('')).toMatchObject({ error: expect.any(String) });
  });

  it.each([
    ['2026-12-24 18:00 UTC', '2026-12-24T18:00:00Z', false],
    ['2026-12-24 18:00 +01:00', '2026-12-24T18:00:00+01:00', false],
    ['2026-12-24 18:00', '2026-12-24T18:00:00Z', true],
    ['2026-12-24', '2026-12-24T00:00:00Z', true],
  ])('until %s → %s', (conductor, until, zoneless) => {
    expect(rfc3339(conductor)).toEqual({ until, zoneless });
  });

  it('an ambiguous zone or a bad time is refused', () => {
    expect(rfc3339('2026-12-24 18:00 PST')).toMatchObject({
      error: expect.stringContaining('ambiguous'),
    });
    expect(rfc3339('2026-13-45 18:00')).toMatchObject({
      error: expect.stringContaining('not a valid time'),
    });
    expect(rfc3339('tomorrow')).toMatchObject({ error: expect.any(String) });
  });
});
