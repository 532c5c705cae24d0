import { Environment } from '@marcbachmann/cel-js';
import type { TaskStatus } from '../../api/dag-instance.ts';
import { outputOf, type StoredOutputs } from '../attempt-values.ts';
import { BoundedMap } from '../bounded-map.ts';

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
/** A loop's `while` also reads `iteration`, the number of the iteration just done. */
const loopEnv = env.clone().registerVariable('iteration', 'int');

/** What an expression may read beyond vars, shareData and tasks. */
export type CelScope = 'task' | 'loop';
const ENVS: Readonly<Record<CelScope, Environment>> = { task: env, loop: loopEnv };

export type CelCheck = { ok: true; type: string } | { ok: false; message: string };

/** Parses and type-checks `expression` (when the Dag is applied). */
export function checkCel(expression: string, scope: CelScope = 'task'): CelCheck {
  try {
    const result = ENVS[scope].check(expression);
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
  /** For a loop's `while`: the iteration just done. */
  iteration?: number;
  /** Outputs the entries name by outputRef, read by the reconciler. */
  storedOutputs?: StoredOutputs | undefined;
}

export type CelResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Evaluates `expression` over vars, share data and the tasks' outputs. Only
 * the tasks it reads are converted into CEL values: a pass evaluates many
 * expressions over a status of up to thousands of entries, most of whose
 * outputs no expression reads.
 */
export function evaluateCel(expression: string, sources: CelSources): CelResult {
  const reads = celReadsOf(expression);
  const ids = reads.anyTask ? Object.keys(sources.tasks) : [...reads.tasks];
  const tasks: Record<string, unknown> = {};
  for (const id of ids) {
    if (!Object.hasOwn(sources.tasks, id)) continue; // absent: CEL reports the missing key as before
    const entry = sources.tasks[id]!;
    tasks[id] = {
      output: toCel(outputOf(entry, sources.storedOutputs) ?? null),
      phase: entry.phase,
    };
  }
  try {
    const scope = sources.iteration === undefined ? env : loopEnv;
    const value: unknown = scope.evaluate(expression, {
      vars: { ...sources.vars },
      shareData: { ...sources.shareData },
      tasks,
      ...(sources.iteration === undefined ? {} : { iteration: BigInt(sources.iteration) }),
    });
    return { ok: true, value };
  } catch (e) {
    return { ok: false, message: firstLine(e instanceof Error ? e.message : String(e)) };
  }
}

/** What an expression reads: its top-level variables, and the tasks it names by a literal key. */
export interface CelReads {
  roots: Set<string>;
  tasks: Set<string>;
  /** It reads `tasks` other than as `tasks.<id>` or `tasks['<id>']` (a computed key, a macro). */
  anyTask: boolean;
}

const readsOf = new BoundedMap<string, Readonly<CelReads>>({ maxEntries: 1000 });

/** `celReads`, remembered per expression (a Dag's expressions are few and evaluated often). */
export function celReadsOf(expression: string): Readonly<CelReads> {
  let reads = readsOf.get(expression);
  if (reads === undefined) {
    reads = celReads(expression);
    readsOf.set(expression, reads);
  }
  return reads;
}

/** The reads of a valid expression, from its syntax tree (nothing is evaluated). */
function celReads(expression: string): CelReads {
  const reads: CelReads = { roots: new Set(), tasks: new Set(), anyTask: false };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isAstNode(node)) return;
    const [first, second] = Array.isArray(node.args) ? (node.args as unknown[]) : [];
    if (node.op === 'id' && typeof node.args === 'string') {
      reads.roots.add(node.args);
      if (node.args === 'tasks') reads.anyTask = true;
      return;
    }
    const onTasks = isAstNode(first) && first.op === 'id' && first.args === 'tasks';
    const key = isAstNode(second) && second.op === 'value' ? second.args : second;
    if (onTasks && ['.', '.?', '[]', '[?]'].includes(node.op) && typeof key === 'string') {
      reads.roots.add('tasks');
      reads.tasks.add(key);
      return;
    }
    if (Array.isArray(node.args)) visit(node.args);
  };
  try {
    visit(env.parse(expression).ast);
  } catch {
    reads.anyTask = true; // unparsable: the Dag is not valid, nothing is known of what it reads
  }
  return reads;
}

function isAstNode(x: unknown): x is { op: string; args: unknown } {
  return typeof x === 'object' && x !== null && 'op' in x && 'args' in x;
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

/** A CEL value as JSON: ints as numbers, maps as objects; what a task records. */
export function celToJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(celToJson);
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), celToJson(v)]));
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, celToJson(v)]));
  }
  return value;
}
