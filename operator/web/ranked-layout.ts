/**
 * The layout of a view too large for dagre: dagre's crossing minimisation
 * takes tens of seconds from a few hundred nodes with long edges, and its
 * recursion overflows the stack on a 2,000-task chain. Here each node goes
 * to the rank after its deepest parent (longest path), ordered within the
 * rank by where its parents are (one barycentre pass), and a rank wider than
 * MAX_ROW nodes wraps onto more rows. Linear in nodes and edges.
 */
import type { Box } from './layout.ts';

/** Nodes on one row before a rank wraps. */
const MAX_ROW = 40;
const GAP_X = 24;
const GAP_Y = 48;
const MARGIN = 16;

export type RankInput = {
  /** In a topological order (parents first). */
  nodes: { id: string; width: number; height: number }[];
  edges: { from: string; to: string }[];
};

export function rankedLayout(view: RankInput): {
  boxes: Map<string, Box>;
  width: number;
  height: number;
} {
  const parents = new Map<string, string[]>();
  for (const e of view.edges) {
    const list = parents.get(e.to);
    if (list) list.push(e.from);
    else parents.set(e.to, [e.from]);
  }
  const rank = new Map<string, number>();
  const ranks: (typeof view.nodes)[] = [];
  for (const n of view.nodes) {
    const r = Math.max(-1, ...(parents.get(n.id) ?? []).map((p) => rank.get(p) ?? -1)) + 1;
    rank.set(n.id, r);
    (ranks[r] ??= []).push(n);
  }
  const position = new Map<string, number>();
  const boxes = new Map<string, Box>();
  let y = MARGIN;
  let width = 0;
  for (const row of ranks) {
    const centre = (id: string): number => {
      const ps = (parents.get(id) ?? []).map((p) => position.get(p) ?? 0);
      return ps.length === 0 ? 0 : ps.reduce((a, b) => a + b, 0) / ps.length;
    };
    const ordered = row
      .map((n, i) => ({ n, key: centre(n.id), i }))
      .sort((a, b) => a.key - b.key || a.i - b.i);
    for (let start = 0; start < ordered.length; start += MAX_ROW) {
      let x = MARGIN;
      let tallest = 0;
      for (const { n } of ordered.slice(start, start + MAX_ROW)) {
        boxes.set(n.id, { x, y, width: n.width, height: n.height });
        position.set(n.id, x + n.width / 2);
        x += n.width + GAP_X;
        tallest = Math.max(tallest, n.height);
      }
      width = Math.max(width, x - GAP_X + MARGIN);
      y += tallest + GAP_Y;
    }
  }
  return { boxes, width, height: y - GAP_Y + MARGIN };
}
