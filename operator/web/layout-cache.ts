/**
 * Layouts of instances, kept while their graph and groups are unchanged: a
 * 5,000-task DAG takes dagre seconds, and every session of an instance asks
 * for the same one. The key is the Dag snapshot (immutable), each group's
 * member count and the expanded groups; an instance that has no snapshot yet
 * (the Dag may still change) is laid out each time.
 */
import type { DagInstance } from '../api/objects.ts';
import { BoundedMap } from '../core/bounded-map.ts';
import type { UiBackend } from './backend.ts';
import { layoutView, type Layout } from './layout.ts';
import { viewGraph } from './view-graph.ts';

const cache = new BoundedMap<string, Layout>({ maxEntries: 32 });

export type ViewLayout = Layout & {
  problem?: string;
  strays: string[];
  source: 'snapshot' | 'dag';
};

export async function cachedLayout(
  backend: UiBackend,
  instance: DagInstance,
  expanded: ReadonlySet<string>,
): Promise<ViewLayout | { problem: string }> {
  const graph = await backend.graph(instance);
  if ('problem' in graph) return { problem: graph.problem };
  const whole = await backend.whole(instance);
  const view = viewGraph(graph.graph, Object.keys(whole.status?.tasks ?? {}));
  const open = new Set([...expanded].filter((id) => view.nodes.some((n) => n.id === id)));
  const groups = view.nodes.filter((n) => n.members.length > 0);
  const key = graph.snapshot
    ? `${instance.metadata.namespace}/${graph.snapshot}|${groups.map((g) => `${g.id}:${g.members.length}`).join(',')}|${[...open].sort().join(',')}`
    : undefined;
  const source = graph.snapshot ? 'snapshot' : 'dag';
  const kept = key === undefined ? undefined : cache.get(key);
  if (kept) return { ...kept, strays: view.strays, source };
  const layout = layoutView(view, open);
  if (key !== undefined) cache.set(key, layout);
  return { ...layout, strays: view.strays, source };
}
