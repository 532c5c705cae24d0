import type { DagSpec } from '../api/dag.ts';
import { buildGraph, type DagGraph } from './graph.ts';

export type DagValidation =
  { valid: true; graph: DagGraph } | { valid: false; reason: string; message: string };

/**
 * What admission cannot afford to check (references between tasks, cycles):
 * the operator reports it in Dag.status and refuses instances of the Dag.
 */
export function validateDag(spec: DagSpec): DagValidation {
  const result = buildGraph(spec.tasks);
  if (result.ok) return { valid: true, graph: result.graph };
  const first = result.problems[0];
  return {
    valid: false,
    reason: first?.reason ?? 'Invalid',
    message: result.problems.map((p) => `${p.path}: ${p.message}`).join('; '),
  };
}
