import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { DagSpec } from '../../operator/api/dag.ts';
import { convertWorkflow } from '../../operator/cli/conductor/convert.ts';

/** examples/conductor's kitchen-sink and its child, as written. */
export function kitchenSinkFiles(): { path: string; text: string }[] {
  return ['kitchen-sink.json', 'kitchen-sink-child.json'].map((path) => ({
    path,
    text: readFileSync(new URL(`../../examples/conductor/${path}`, import.meta.url), 'utf8'),
  }));
}

/** A Conductor workflow or task definition, as its JSON. */
export type WorkflowDef = Record<string, unknown>;

/** The Dag spec of a workflow that converts with no problem. */
export function convertedSpec(def: WorkflowDef): DagSpec {
  const one = convertWorkflow({ name: 'flow', ...def }, [], 'flow.json');
  expect(one.problems).toEqual([]);
  if (!one.dag) throw new Error('no Dag');
  return one.dag.manifest.spec;
}

/** A SIMPLE task of the action `print`, referenced as `ref`. */
export const simpleTask = (ref: string, extra: WorkflowDef = {}): WorkflowDef => ({
  name: 'print',
  taskReferenceName: ref,
  type: 'SIMPLE',
  ...extra,
});
