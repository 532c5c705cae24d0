/**
 * The state of converting one Conductor workflow: its task references and
 * the Dag task ids they became, the vars it uses, the tasks written so far,
 * and what is said about it (problems: something did not convert; notes:
 * behaviour that changes).
 */
import { TaskId, type DagSpec, type TaskSpec } from '../../api/dag.ts';
import type { ForEachSpec, LoopSpec, SubDagSpec } from '../../api/grown-tasks.ts';
import { formatPath } from '../../api/field-path.ts';
import { isRecord } from '../migrate-findings.ts';
import {
  parseReferences,
  toCel,
  toTemplate,
  type ConductorRef,
  type Target,
} from './references.ts';
import { celLiteral, type CelValue } from './cel-values.ts';

export type Path = (string | number)[];

export type VarDef = NonNullable<DagSpec['vars']>[string];

/** A Dag task as written here: TaskSpec with the run-time growth fields (operator/api/grown-tasks.ts). */
export type DagTask = Omit<TaskSpec, 'type'> & {
  type?: string;
  forEach?: ForEachSpec;
  loop?: LoopSpec;
  subDag?: SubDagSpec;
};

/** A Conductor task reference: the Dag task id it became and its Conductor type. */
/** A Conductor task reference: the Dag task id it became, its type, the loop whose body holds it. */
export type RefInfo = { id: string; type: string; path: Path; dynamicFork?: string; loop?: string };

export type Said = { path: string; message: string; task?: string };

export class Conversion {
  readonly refs = new Map<string, RefInfo>();
  readonly tasks: DagTask[] = [];
  readonly vars = new Map<string, VarDef>();
  /** Ids of loop body tasks: run by their loop, listed under no switch case. */
  readonly loopBodies = new Set<string>();
  /** The loop whose body is being converted: its body tasks read each other directly. */
  scope: string | undefined;
  readonly problems: Said[] = [];
  readonly notes: Said[] = [];
  /** Where the workflow sits in its file (`[1]` in a list), prefixed to every path. */
  private readonly base: Path;

  constructor(base: Path) {
    this.base = base;
  }

  problem(path: Path, message: string, task?: string): void {
    this.problems.push({ path: formatPath([...this.base, ...path]), message, task });
  }

  note(path: Path, message: string): void {
    const at = formatPath([...this.base, ...path]);
    if (!this.notes.some((n) => n.path === at && n.message === message)) {
      this.notes.push({ path: at, message });
    }
  }

  /** Records the references of `list` and of every list nested in it (a first pass). */
  collectRefs(list: unknown, path: Path, loop?: string): void {
    if (!Array.isArray(list)) return;
    let previous: RefInfo | undefined;
    (list as unknown[]).forEach((task, i) => {
      const at = [...path, i];
      if (!isRecord(task)) return;
      const ref = task['taskReferenceName'];
      const type = typeof task['type'] === 'string' ? task['type'] : 'SIMPLE';
      if (typeof ref !== 'string' || ref === '') {
        this.problem([...at, 'taskReferenceName'], 'required: every task needs one');
        return;
      }
      const info: RefInfo = { id: this.taskId(ref, at), type, path: at, ...(loop ? { loop } : {}) };
      if (type === 'JOIN' && previous?.type === 'FORK_JOIN_DYNAMIC') info.dynamicFork = previous.id;
      if (this.refs.has(ref)) this.problem([...at, 'taskReferenceName'], `"${ref}" is used twice`);
      else this.refs.set(ref, info);
      previous = info;
      const cases = task['decisionCases'];
      if (isRecord(cases)) {
        for (const [name, tasks] of Object.entries(cases)) {
          this.collectRefs(tasks, [...at, 'decisionCases', name], loop);
        }
      }
      this.collectRefs(task['defaultCase'], [...at, 'defaultCase'], loop);
      this.collectRefs(task['loopOver'], [...at, 'loopOver'], info.id);
      const forks = task['forkTasks'];
      if (Array.isArray(forks)) {
        forks.forEach((b, j) => this.collectRefs(b, [...at, 'forkTasks', j], loop));
      }
    });
  }

  /** The Dag task id of a reference: itself when valid, else made valid (noted). */
  private taskId(ref: string, at: Path): string {
    if (TaskId.safeParse(ref).success) return ref;
    const id = ref
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
      .slice(0, 63)
      .replace(/[^A-Za-z0-9]+$/, '');
    this.note([...at, 'taskReferenceName'], `"${ref}" is not a valid task id: the task is "${id}"`);
    return id;
  }

  /** The Dag task id of reference `ref` (known after collectRefs). */
  idOf(ref: string): string | undefined {
    return this.refs.get(ref)?.id;
  }

  /** Declares the var a reference reads, so that templates are checked when the Dag is applied. */
  useVar(name: string, source: 'input' | 'variables'): void {
    if (this.vars.has(name)) return;
    this.vars.set(name, source === 'variables' ? { defaultValue: '' } : {});
  }

  /** Where an output reference points in the Dag (a JOIN's is its branches'), or why nowhere. */
  targetOf = (r: ConductorRef & { kind: 'output' }): Target | string => {
    const info = this.refs.get(r.ref);
    const shown = `\${${r.ref}.output${r.path.map((k) => `.${k}`).join('')}}`;
    if (!info) return `${shown}: no task "${r.ref}" in this workflow`;
    // Outside its loop, a body task is read in the loop's output (its last iteration's).
    if (info.loop !== undefined && info.loop !== this.scope) {
      return { task: info.loop, path: ['outputs', info.id, ...r.path] };
    }
    switch (info.type) {
      case 'JOIN': {
        const [branch, ...rest] = r.path;
        if (branch !== undefined)
          return this.targetOf({ kind: 'output', ref: String(branch), path: rest });
        if (info.dynamicFork) return { task: info.dynamicFork, path: [] };
        return `${shown}: a JOIN's whole output (a map of its branches' outputs) has no equivalent; read one branch: \${${r.ref}.output.<ref>}`;
      }
      case 'FORK_JOIN':
      case 'FORK':
        return `${shown}: a FORK_JOIN has no output`;
      case 'HTTP':
        return httpTarget(info.id, r.path, shown);
      case 'DO_WHILE':
        if (r.path.length > 0 && r.path[0] !== 'iteration') {
          return `${shown}: a loop's output is its iteration count and its body tasks' last outputs: read \${<body ref>.output…}`;
        }
        break;
      case 'SUB_WORKFLOW':
        if (r.path[0] === 'subWorkflowId')
          return `${shown}: the child's id is not in the output (it is the child DagInstance's name)`;
        break;
      default:
        break;
    }
    return { task: info.id, path: r.path };
  };

  /** A string with `${…}` references as our template; a reference that does not convert is a problem. */
  template(s: string, path: Path, task?: string): string {
    const parsed = parseReferences(s);
    if (!parsed.ok) {
      this.problem(path, parsed.message, task);
      return s;
    }
    for (const p of parsed.pieces)
      if (typeof p !== 'string' && p.kind === 'var') this.useVar(p.name, p.source);
    const out = toTemplate(parsed.pieces, this.targetOf);
    if (typeof out === 'string') return out;
    this.problem(path, out.error, task);
    return s;
  }

  /** Task inputs as params: every string's references converted, other values as they are. */
  params(value: unknown, path: Path, task?: string): unknown {
    if (typeof value === 'string') return this.template(value, path, task);
    if (Array.isArray(value)) return value.map((v, i) => this.params(v, [...path, i], task));
    if (isRecord(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.params(v, [...path, k], task)]),
      );
    }
    return value;
  }

  /** An input value as CEL: a literal, or a string with references; an error says why not. */
  cel(value: unknown): CelValue | { error: string } {
    if (typeof value !== 'string') return toCelLiteral(value);
    const parsed = parseReferences(value);
    if (!parsed.ok) return { error: parsed.message };
    for (const p of parsed.pieces)
      if (typeof p !== 'string' && p.kind === 'var') this.useVar(p.name, p.source);
    return toCel(parsed.pieces, this.targetOf);
  }
}

function toCelLiteral(value: unknown): CelValue | { error: string } {
  if (isRecord(value) || Array.isArray(value)) {
    if (JSON.stringify(value).includes('${')) {
      return {
        error: 'a list or map holding references has no CEL form here: pass it as one reference',
      };
    }
  }
  return celLiteral(value);
}

/** Conductor's HTTP output is `{response: {statusCode, body, reasonPhrase, headers}}`; ours is flat. */
function httpTarget(id: string, path: Path, shown: string): Target | string {
  if (path[0] !== 'response')
    return `${shown}: an HTTP task's output is under response (statusCode, body, reasonPhrase)`;
  const field = path[1];
  if (field === undefined) return { task: id, path: [] };
  if (field === 'headers') return `${shown}: the http action keeps no response headers`;
  return { task: id, path: path.slice(1) };
}
