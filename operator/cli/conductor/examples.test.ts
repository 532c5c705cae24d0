import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DagSpec } from '../../api/dag.ts';
import { validateDag } from '../../core/validate-dag.ts';
import { isRecord } from '../migrate-findings.ts';
import { kitchenSinkFiles } from '../../../test/support/conductor-examples.ts';
import { convertConductorFiles } from './convert.ts';

/** Every task type of a Conductor task list, nested lists included. */
function typesOf(list: unknown, into = new Set<string>()): Set<string> {
  if (!Array.isArray(list)) return into;
  for (const t of list as unknown[]) {
    if (!isRecord(t)) continue;
    into.add(typeof t['type'] === 'string' ? t['type'] : 'SIMPLE');
    for (const nested of Object.values(isRecord(t['decisionCases']) ? t['decisionCases'] : {})) {
      typesOf(nested, into);
    }
    typesOf(t['defaultCase'], into);
    typesOf(t['loopOver'], into);
    for (const b of Array.isArray(t['forkTasks']) ? (t['forkTasks'] as unknown[]) : [])
      typesOf(b, into);
  }
  return into;
}

describe('examples/conductor', () => {
  it('the kitchen-sink holds every Conductor type that converts', () => {
    const text = readFileSync(
      new URL('../../../examples/conductor/kitchen-sink.json', import.meta.url),
      'utf8',
    );
    const sink = JSON.parse(text) as { tasks: unknown };
    expect([...typesOf(sink.tasks)].sort()).toEqual([
      'DECISION',
      'DO_WHILE',
      'FORK_JOIN',
      'FORK_JOIN_DYNAMIC',
      'HTTP',
      'HUMAN',
      'INLINE',
      'JOIN',
      'JSON_JQ_TRANSFORM',
      'SET_VARIABLE',
      'SIMPLE',
      'SUB_WORKFLOW',
      'SWITCH',
      'TERMINATE',
      'WAIT',
    ]);
  });

  it('converts with no problem; every Dag parses as a DagSpec and is valid', () => {
    const r = convertConductorFiles(kitchenSinkFiles());
    expect(r.problems).toEqual([]);
    expect(r.dags.map((d) => d.manifest.metadata.name).sort()).toEqual([
      'kitchen-sink',
      'kitchen-sink-child',
    ]);
    for (const dag of r.dags) {
      const parsed = DagSpec.safeParse(dag.manifest.spec);
      expect(parsed.success).toBe(true);
      if (parsed.success) expect(validateDag(parsed.data)).toMatchObject({ valid: true });
    }
  });
});
