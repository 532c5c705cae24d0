/**
 * `kubectl fastflow tree`: the DAG drawn in the terminal. Each task is
 * indented under a parent it depends on; a task with several parents is drawn
 * in full at its first appearance (top to bottom) with "after p1, p2", and
 * elsewhere as a one-line reference "(see above)". Roots start at column 0.
 */
import type { TaskPhase, TaskStatus } from '../api/dag-instance.ts';
import type { DagGraph } from '../core/graph.ts';
import { grownByBase } from '../core/grown-graph.ts';
import { phaseStyle, type Paint } from './color.ts';
import { taskDuration, taskNote } from './format.ts';

export type TreeGraph = Pick<DagGraph, 'order' | 'parents' | 'children'>;

export type TreeRow = {
  /** Connectors drawn before the id, e.g. `│  └─ `. */
  prefix: string;
  id: string;
  /** Drawn in full elsewhere above: this row only refers to it. */
  seeAbove: boolean;
  phase: TaskPhase;
  duration: string;
  /** The current attempt, when it is not the first. */
  attempt: number | undefined;
  /** Every parent, when there are several. */
  after: string[];
  /** `reason: message` of the task. */
  note: string;
  /** A key of status.tasks that is not a task of the graph. */
  unknown: boolean;
  /** In place of copies not drawn: how many, by phase (`4,990 more: Succeeded 4,990`). */
  more?: string;
};

/** Copies or iterations drawn under their task: the first ones, and every one not Succeeded. */
const GROWN_SHOWN = 10;

const BRANCH = '├─ ';
const LAST = '└─ ';
const PIPE = '│  ';
const SPACE = '   ';

/** The rows of the tree, top to bottom: pure, from the graph and the tasks' status. */
export function treeRows(
  graph: TreeGraph,
  tasks: Readonly<Record<string, TaskStatus>>,
  now: Date,
): TreeRow[] {
  const rows: TreeRow[] = [];
  const drawn = new Set<string>();
  const byBase = grownByBase(tasks);
  const row = (id: string, prefix: string, seeAbove: boolean, unknown = false): TreeRow => {
    const status = tasks[id];
    const parents = graph.parents.get(id) ?? [];
    return {
      prefix,
      id,
      seeAbove,
      phase: status?.phase ?? 'Pending',
      duration: seeAbove ? '' : taskDuration(status, now),
      attempt: status?.attempt !== undefined && status.attempt > 1 ? status.attempt : undefined,
      after: parents.length > 1 ? [...parents] : [],
      note: taskNote(status),
      unknown,
    };
  };
  // Depth first with an explicit stack: a 2,000-task chain must not overflow.
  // A grown key is drawn under its base (`┆`), with what nests under it (a subDag child's tasks).
  type Frame = { id: string; prefix: string; childPrefix: string; grown?: true; more?: string };
  const roots = graph.order.filter((id) => (graph.parents.get(id) ?? []).length === 0);
  const stack: Frame[] = roots.map((id) => ({ id, prefix: '', childPrefix: '' })).reverse();
  for (let f = stack.pop(); f !== undefined; f = stack.pop()) {
    if (f.more !== undefined) {
      rows.push({ ...row(f.id, f.prefix, false), more: f.more });
      continue;
    }
    if (!f.grown && drawn.has(f.id)) {
      rows.push(row(f.id, f.prefix, true));
      continue;
    }
    drawn.add(f.id);
    rows.push(row(f.id, f.prefix, false));
    const children = graph.children.get(f.id) ?? [];
    for (let i = children.length - 1; i >= 0; i--) {
      const last = i === children.length - 1;
      stack.push({
        id: children[i] as string,
        prefix: f.childPrefix + (last ? LAST : BRANCH),
        childPrefix: f.childPrefix + (last ? SPACE : PIPE),
      });
    }
    const grown = f.grown ? [] : (byBase.get(f.id) ?? []);
    for (const key of grown) drawn.add(key);
    stack.push(...grownFrames(grown, `${f.childPrefix}┆ `, tasks).reverse());
  }
  for (const id of Object.keys(tasks).sort()) {
    if (!drawn.has(id) && !graph.parents.has(id)) rows.push(row(id, '', false, true));
  }
  return rows;
}

/**
 * The frames of a task's copies or iterations, drawn under it with `┆`: the
 * first GROWN_SHOWN and every one not Succeeded, the rest counted in one row.
 */
function grownFrames(
  keys: readonly string[],
  prefix: string,
  tasks: Readonly<Record<string, TaskStatus>>,
): Array<{ id: string; prefix: string; childPrefix: string; grown: true; more?: string }> {
  const shown = keys.filter((k, i) => i < GROWN_SHOWN || tasks[k]?.phase !== 'Succeeded');
  const frames = shown.map((id) => ({ id, prefix, childPrefix: prefix, grown: true as const }));
  const hidden = keys.length - shown.length;
  if (hidden === 0) return frames;
  const more = `${hidden.toLocaleString('en-US')} more, all Succeeded`;
  return [...frames, { id: '…', prefix, childPrefix: prefix, grown: true, more }];
}

/** The drawn lines: id, phase, duration in aligned columns, then notes. */
export function renderTree(rows: readonly TreeRow[], paint: Paint): string[] {
  const label = (r: TreeRow): number => r.prefix.length + r.id.length;
  const idWidth = Math.max(0, ...rows.map(label));
  const phaseWidth = Math.max(0, ...rows.filter((r) => !r.seeAbove).map((r) => r.phase.length));
  const durWidth = Math.max(0, ...rows.map((r) => r.duration.length));
  return rows.map((r) => {
    const head = paint('dim', r.prefix) + (r.seeAbove ? r.id : paint('bold', r.id));
    if (r.seeAbove) return `${head} ${paint('dim', '(see above)')}`;
    if (r.more !== undefined) return `${head} ${paint('dim', r.more)}`;
    const pad = ' '.repeat(idWidth - label(r) + 2);
    const phase = paint(phaseStyle(r.phase), r.phase) + ' '.repeat(phaseWidth - r.phase.length);
    const duration = r.duration.padStart(durWidth);
    const notes: string[] = [];
    if (r.attempt !== undefined) notes.push(`attempt ${r.attempt}`);
    if (r.after.length > 0) notes.push(`after ${r.after.join(', ')}`);
    if (r.unknown) notes.push('not a task of the Dag snapshot');
    const info = notes.length > 0 ? paint('dim', notes.join(' · ')) : '';
    const bad = r.phase === 'Failed' || r.phase === 'Canceled';
    const note = r.note ? paint(bad ? 'red' : 'dim', r.note) : '';
    const tail = [info, note].filter((t) => t !== '').join(paint('dim', ' · '));
    const cells = [phase, ...(durWidth > 0 ? [duration] : []), ...(tail ? [tail] : [])];
    return `${head}${pad}${cells.join('  ')}`.trimEnd();
  });
}
