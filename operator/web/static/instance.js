// The instance page: its header and operations, the live DAG, the task panel.
import { banner, enc, get, h, operate, phaseBadge, stream } from './api.js';
import { drawGraph } from './graph.js';
import { taskPanel } from './task.js';

/** Operations on the whole instance (kubectl fastflow cancel|retry|pause|resume|restart NAME). */
const INSTANCE_OPS = ['cancel', 'retry', 'pause', 'resume', 'restart'];

export async function instancePage(main, crumbs, config, ns, name, task) {
  const base = `/api/namespaces/${enc(ns)}/instances/${enc(name)}`;
  crumbs.replaceChildren(
    h('a', { href: `#/ns/${enc(ns)}` }, `namespace ${ns}`),
    ' / ',
    h('a', { href: `#/ns/${enc(ns)}/i/${enc(name)}` }, name),
  );
  const head = h('div', { 'data-testid': 'instance-head' });
  const ops = h('div', {});
  const graph = h('div', { class: 'graph' });
  const panel = h(
    'div',
    { class: 'panel', 'data-testid': 'panel' },
    h('p', { class: 'muted' }, 'Click a task.'),
  );
  main.replaceChildren(head, ops, h('div', { class: 'instance' }, graph, panel));

  const act = async (request) => {
    banner(`${request.op}: waiting for the operator…`);
    try {
      banner(`${request.op} applied: ${await operate(ns, name, request)}`);
    } catch (e) {
      banner(`${request.op} refused: ${e.message}`, true);
    }
  };
  if (!config.readOnly) {
    ops.append(
      ...INSTANCE_OPS.map((op) => h('button', { 'data-op': op, onclick: () => act({ op }) }, op)),
    );
  }

  let state;
  let layout;
  let update;
  let selected = task;
  const expanded = new Set();
  const show = taskPanel(panel, { ns, name, readOnly: config.readOnly, act });

  const select = (key) => {
    selected = key;
    update?.select(key);
    if (state && update) update(state.tasks);
    history.replaceState(null, '', `#/ns/${enc(ns)}/i/${enc(name)}${key ? `/t/${enc(key)}` : ''}`);
    if (key) void show(key);
  };
  const relayout = async () => {
    layout = await get(`${base}/layout?expand=${[...expanded].map(enc).join(',')}`);
    if (layout.problem) {
      graph.replaceChildren(h('p', {}, `Cannot draw the DAG: ${layout.problem}`));
      return;
    }
    const known = new Set(layout.nodes.flatMap((n) => [n.id, ...(n.members ?? [])]));
    layout.known = known;
    update = drawGraph(graph, layout, {
      selected,
      onSelect: select,
      onToggle: (id) => {
        if (expanded.has(id)) expanded.delete(id);
        else expanded.add(id);
        void relayout();
      },
    });
    if (state) update(state.tasks);
  };
  // Keys the layout does not know yet (a fan-out grew): lay out again, once at a time.
  let relaying;
  const grown = () =>
    state && layout?.known && Object.keys(state.tasks).some((k) => !layout.known.has(k));

  const close = stream(`${base}/stream`, {
    state: (s) => {
      const first = !state;
      state = s;
      head.replaceChildren(
        h(
          'h2',
          {},
          name,
          ' ',
          phaseBadge(s.phase),
          ' ',
          h('span', { 'data-testid': 'progress' }, s.progress),
        ),
        h(
          'p',
          { class: 'muted' },
          `Dag ${s.dag} · created ${s.created}${s.duration ? ` · took ${s.duration}` : ''}${s.reason ? ` · ${s.reason}` : ''}`,
        ),
        s.message ? h('p', {}, s.message) : '',
      );
      if (update) update(s.tasks);
      if (!first && selected) void show(selected, true);
      if (grown() && !relaying) relaying = relayout().finally(() => (relaying = undefined));
    },
    gone: () => banner(`daginstance ${name} no longer exists`, true),
    problem: (p) => banner(p.message, true),
  });
  await relayout();
  if (selected) void show(selected);
  return { leave: close, name, ns, select };
}
