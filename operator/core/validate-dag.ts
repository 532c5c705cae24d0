import type { DagSpec } from '../api/dag.ts';
import { validateControl } from './control/dispatch.ts';
import { subDagLoopProblem, type DagsAround } from './control/sub-dag.ts';
import { buildGraph, type DagGraph } from './graph.ts';
import { validateTemplates } from './template-validation.ts';
import { joinCapped } from './templates.ts';

export type DagValidation =
  { valid: true; graph: DagGraph } | { valid: false; reason: string; message: string };

/** Longest message: Dag.status.message and condition messages hold 32 KiB. */
const MAX_MESSAGE = 16384;

/**
 * What admission cannot afford to check (references between tasks, cycles,
 * templates in params, system task specs): the operator reports it in Dag.status and refuses
 * instances of the Dag. `around`: the Dag's name and the other Dags as they
 * are now, to find a Dag that runs itself as a sub-DAG.
 */
export function validateDag(spec: DagSpec, around?: DagsAround): DagValidation {
  const result = buildGraph(spec.tasks);
  if (!result.ok) return invalid(result.problems);
  const loop = around && subDagLoopProblem(spec, around);
  const problems = [...dagProblems(spec, result.graph), ...(loop ? [loop] : [])];
  if (problems.length > 0) return invalid(problems);
  return { valid: true, graph: result.graph };
}

/** The problems of a Dag whose graph is sound: its task types, then its templates. */
export function dagProblems(
  spec: DagSpec,
  graph: DagGraph,
): Array<{ reason: string; path: string; message: string }> {
  return [...validateControl(spec, graph), ...validateTemplates(spec, graph)];
}

function invalid(
  problems: ReadonlyArray<{ reason: string; path: string; message: string }>,
): DagValidation {
  return {
    valid: false,
    reason: problems[0]?.reason ?? 'Invalid',
    message: joinCapped(
      problems.map((p) => `${p.path}: ${p.message}`),
      MAX_MESSAGE,
    ),
  };
}
