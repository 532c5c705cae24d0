/**
 * Where each node of the view graph is drawn, computed on the server by
 * dagre (@dagrejs/dagre: the layered layout of a DAG, kept up by the
 * dagrejs organisation) so that the browser only draws; a view larger than
 * dagre handles in time goes to rankedLayout (ranked-layout.ts). An expanded group
 * is one large node whose members the browser draws as a grid of cells
 * inside it: copies of a fan-out do not depend on each other, so a grid
 * says all there is and costs no layout.
 */
import { createRequire } from 'node:module';
import { rankedLayout } from './ranked-layout.ts';
import type { ViewGraph } from './view-graph.ts';

/** A node's top-left corner and size. */
export type Box = { x: number; y: number; width: number; height: number };
type Point = { x: number; y: number };
/** The part of dagre's API used here (its own .d.ts has extensionless imports nodenext cannot resolve). */
type DagreGraph = {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(f: () => object): void;
  setNode(id: string, size: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(id: string): Box;
  edge(from: string, to: string): { points?: Point[] };
  graph(): { width?: number; height?: number };
};
type Dagre = { graphlib: { Graph: new () => DagreGraph }; layout(g: DagreGraph): void };
const dagre = createRequire(import.meta.url)('@dagrejs/dagre') as Dagre;

export const TASK_SIZE = { width: 168, height: 36 } as const;
/** A collapsed group: the task's id, its member count and a bar of their phases. */
export const GROUP_SIZE = { width: 196, height: 52 } as const;
/** An expanded group: a header, then `cols` cells of CELL px (gap included) per row. */
export const CELL = 14;
const GROUP_HEADER = 28;
const MAX_COLS = 60;
/** Dagre lays out views up to this size (in about a second); larger ones are ranked. */
export const DAGRE_MAX = { nodes: 150, edges: 300 } as const;

export type PlacedNode = {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Set on a group: its members, and the grid's columns when it is expanded. */
  members?: string[];
  cols?: number;
};

export type Layout = {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
  cell: number;
  header: number;
};

/** The grid of an expanded group of `n` members: roughly twice as wide as tall, at most MAX_COLS. */
export function gridCols(n: number): number {
  return Math.max(1, Math.min(MAX_COLS, Math.ceil(Math.sqrt(n * 2))));
}

function sizeOf(members: number, expanded: boolean): { width: number; height: number } {
  // A fresh object each time: dagre writes the position into the label it is given.
  if (members === 0) return { ...TASK_SIZE };
  if (!expanded) return { ...GROUP_SIZE };
  const cols = gridCols(members);
  const rows = Math.ceil(members / cols);
  return {
    width: Math.max(GROUP_SIZE.width, cols * CELL + 16),
    height: GROUP_HEADER + rows * CELL + 8,
  };
}

/** Dagre's layout of the sized nodes: boxes, edge routes and the drawing's size. */
function dagreLayout(
  nodes: { id: string; width: number; height: number }[],
  edges: ViewGraph['edges'],
): { boxes: Map<string, Box>; routes: Point[][]; width: number; height: number } {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const boxes = new Map<string, Box>();
  for (const n of nodes) {
    const c = g.node(n.id);
    boxes.set(n.id, {
      x: c.x - c.width / 2,
      y: c.y - c.height / 2,
      width: c.width,
      height: c.height,
    });
  }
  const routes = edges.map((e) =>
    (g.edge(e.from, e.to).points ?? []).map((p) => ({ x: p.x, y: p.y })),
  );
  const { width = 0, height = 0 } = g.graph();
  return { boxes, routes, width, height };
}

/** A straight edge from the bottom of one box to the top of the other. */
function straight(from: Box, to: Box): Point[] {
  return [
    { x: from.x + from.width / 2, y: from.y + from.height },
    { x: to.x + to.width / 2, y: to.y },
  ];
}

/** Lays out `view` top to bottom; `expanded` names the groups drawn open. */
export function layoutView(view: ViewGraph, expanded: ReadonlySet<string>): Layout {
  const sized = view.nodes.map((n) => ({
    id: n.id,
    ...sizeOf(n.members.length, expanded.has(n.id)),
  }));
  const small = sized.length <= DAGRE_MAX.nodes && view.edges.length <= DAGRE_MAX.edges;
  const placed = small
    ? dagreLayout(sized, view.edges)
    : rankedLayout({ nodes: sized, edges: view.edges });
  const routes = 'routes' in placed ? (placed.routes as Point[][]) : undefined;
  const box = (id: string): Box => placed.boxes.get(id) ?? { x: 0, y: 0, width: 0, height: 0 };
  const nodes = view.nodes.map((n): PlacedNode => {
    const group =
      n.members.length === 0
        ? {}
        : {
            members: n.members,
            ...(expanded.has(n.id) ? { cols: gridCols(n.members.length) } : {}),
          };
    return { id: n.id, ...box(n.id), ...group };
  });
  const edges = view.edges.map((e, i) => ({
    ...e,
    points: routes?.[i] ?? straight(box(e.from), box(e.to)),
  }));
  return {
    width: placed.width,
    height: placed.height,
    nodes,
    edges,
    cell: CELL,
    header: GROUP_HEADER,
  };
}
