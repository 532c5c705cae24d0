import { Environment } from '@marcbachmann/cel-js';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { outputOf, type StoredOutputs } from '../attempt-values.ts';

/**
 * CEL, as Kubernetes users write it in CRD rules and admission policies,
 * over what a switch may read: `vars.x` and `shareData.k` (strings) and
 * `tasks.<id>.output...` (an upstream task's JSON output).
 */
const env = new Environment({
  limits: { maxAstNodes: 2000, maxDepth: 64, maxListElements: 256, maxMapEntries: 256 },
})
  .registerVariable('vars', 'map<string, string>')
  .registerVariable('shareData', 'map<string, string>')
  .registerVariable('tasks', 'map<string, dyn>');

export type CelCheck = { ok: true; type: string } | { ok: false; message: string };

/** Parses and type-checks `expression` (when the Dag is applied). */
export function checkCel(expression: string): CelCheck {
  try {
    const result = env.check(expression);
    if (result.valid) return { ok: true, type: result.type ?? 'dyn' };
    return { ok: false, message: firstLine(result.error?.message ?? 'invalid expression') };
  } catch (e) {
    return { ok: false, message: firstLine(e instanceof Error ? e.message : String(e)) };
  }
}

export interface CelSources {
  vars: Readonly<Record<string, string>>;
  shareData: Readonly<Record<string, string>>;
  tasks: Readonly<Record<string, TaskStatus>>;
  /** Outputs the entries name by outputRef, read by the reconciler. */
  storedOutputs?: StoredOutputs | undefined;
}

export type CelResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Evaluates `expression` over vars, share data and the tasks' outputs. */
export function evaluateCel(expression: string, sources: CelSources): CelResult {
  const tasks: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(sources.tasks)) {
    tasks[id] = {
      output: toCel(outputOf(entry, sources.storedOutputs) ?? null),
      phase: entry.phase,
    };
  }
  try {
    const value: unknown = env.evaluate(expression, {
      vars: { ...sources.vars },
      shareData: { ...sources.shareData },
      tasks,
    });
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: firstLine(e instanceof Error ? e.message : String(e)) };
  }
}

/** JSON integers are CEL ints, as in Kubernetes' CEL (so `output.n + 1` works). */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

/** The library's messages end with a source excerpt; the first line says what is wrong. */
function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}
