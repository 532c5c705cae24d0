// The DAG drawn in SVG from the server's layout (operator/web/layout.ts):
// nodes coloured by phase, groups of grown tasks collapsed into one node
// (a bar of their members' phases) or expanded into a grid of cells. A new
// state only changes classes and bar widths: nothing is laid out again.

const SVG = 'http://www.w3.org/2000/svg';
const ORDER = [
  'Succeeded',
  'Running',
  'Scheduled',
  'Retrying',
  'Pending',
  'Blocked',
  'Failed',
  'Canceled',
  'Skipped',
];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

function label(text, width) {
  const max = Math.floor((width - 16) / 7);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The colour of a group without an entry of its own: the most telling phase among its members. */
function groupPhase(counts) {
  for (const p of ['Failed', 'Running', 'Scheduled', 'Retrying', 'Blocked'])
    if (counts[p]) return p;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total > 0 && (counts.Succeeded ?? 0) + (counts.Skipped ?? 0) === total) return 'Succeeded';
  return counts.Canceled ? 'Canceled' : 'Pending';
}

/**
 * Draws `layout` into `host`. `onSelect(key)` is told a click on a task or a
 * cell; `onToggle(id)` a click on a group's expander. Returns update(tasks).
 */
export function drawGraph(host, layout, { onSelect, onToggle, selected }) {
  const svg = s('svg', { 'data-testid': 'graph' });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 6,
          markerHeight: 6,
          orient: 'auto',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8b9096' }),
      ),
    ),
  );
  const world = s('g');
  svg.append(world);
  for (const e of layout.edges) {
    world.append(
      s('path', {
        class: 'edge',
        d: e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' '),
      }),
    );
  }
  const tasks = new Map(); // key -> element whose class carries the phase
  const groups = [];
  for (const n of layout.nodes) {
    const g = s('g', {
      class: 'node Pending',
      'data-id': n.id,
      transform: `translate(${n.x},${n.y})`,
    });
    tasks.set(n.id, g);
    if (n.members && n.cols) {
      g.append(s('rect', { class: 'group-frame', width: n.width, height: n.height, rx: 6 }));
      g.append(s('rect', { class: 'box', width: n.width, height: 22 }));
      g.append(
        s('text', { x: 8, y: 15 }, label(`${n.id} — ${n.members.length} (collapse)`, n.width)),
      );
      const cells = s('g', { transform: `translate(8,${layout.header})` });
      n.members.forEach((key, i) => {
        const cell = s(
          'rect',
          {
            class: 'cell Pending',
            'data-key': key,
            x: (i % n.cols) * layout.cell,
            y: Math.floor(i / n.cols) * layout.cell,
            width: layout.cell - 2,
            height: layout.cell - 2,
          },
          s('title', {}, key),
        );
        tasks.set(key, cell);
        cells.append(cell);
      });
      g.append(cells);
      g.addEventListener('click', (e) =>
        e.target.dataset.key ? onSelect(e.target.dataset.key) : onToggle(n.id),
      );
    } else if (n.members) {
      g.setAttribute('data-group', String(n.members.length));
      g.append(s('rect', { class: 'box', width: n.width, height: n.height }));
      g.append(s('text', { x: 8, y: 16 }, label(`${n.id} ×${n.members.length}`, n.width)));
      const bar = s('g', { transform: `translate(8,${n.height - 18})` });
      g.append(bar, s('text', { x: n.width - 8, y: 16, 'text-anchor': 'end' }, '▸'));
      groups.push({ node: n, g, bar });
      g.addEventListener('click', () => onToggle(n.id));
    } else {
      g.append(s('rect', { class: 'box', width: n.width, height: n.height }));
      g.append(s('text', { x: 8, y: n.height / 2 + 4 }, label(n.id, n.width)));
      g.addEventListener('click', () => onSelect(n.id));
    }
    world.append(g);
  }
  host.replaceChildren(svg);
  panZoom(svg, world, layout, host);

  let chosen = selected;
  const update = (phases) => {
    for (const [key, el] of tasks) {
      const phase = phases[key] ?? 'Pending';
      const base = el.tagName === 'rect' ? 'cell' : 'node';
      el.setAttribute('class', `${base} ${phase}${key === chosen ? ' selected' : ''}`);
      el.dataset.phase = phase;
    }
    for (const { node, g, bar } of groups) {
      const counts = {};
      for (const key of node.members)
        counts[phases[key] ?? 'Pending'] = (counts[phases[key] ?? 'Pending'] ?? 0) + 1;
      const phase = phases[node.id] ?? groupPhase(counts);
      g.setAttribute('class', `node ${phase}`);
      g.dataset.phase = phase;
      const width = node.width - 16;
      let x = 0;
      bar.replaceChildren();
      for (const p of ORDER.filter((p) => counts[p])) {
        const w = (counts[p] / node.members.length) * width;
        bar.append(
          s(
            'rect',
            { class: `cell ${p}`, x, y: 0, width: Math.max(w, 1), height: 10 },
            s('title', {}, `${p}: ${counts[p]}`),
          ),
        );
        x += w;
      }
    }
  };
  update.select = (key) => (chosen = key);
  return update;
}

/** Wheel zooms around the pointer, drag pans; the whole graph fits at first. */
function panZoom(svg, world, layout, host) {
  const box = host.getBoundingClientRect();
  let k = Math.min(1, box.width / (layout.width || 1), box.height / (layout.height || 1));
  k = Math.max(k, 0.05);
  let tx = Math.max(0, (box.width - layout.width * k) / 2);
  let ty = 8;
  const apply = () => world.setAttribute('transform', `translate(${tx},${ty}) scale(${k})`);
  apply();
  svg.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const f = Math.exp(-e.deltaY * 0.0015);
      const r = svg.getBoundingClientRect();
      const px = e.clientX - r.left;
      const py = e.clientY - r.top;
      tx = px - (px - tx) * f;
      ty = py - (py - ty) * f;
      k *= f;
      apply();
    },
    { passive: false },
  );
  let drag;
  svg.addEventListener(
    'pointerdown',
    (e) => (drag = { x: e.clientX - tx, y: e.clientY - ty, moved: false }),
  );
  svg.addEventListener('pointermove', (e) => {
    if (!drag || e.buttons === 0) return;
    tx = e.clientX - drag.x;
    ty = e.clientY - drag.y;
    apply();
  });
  svg.addEventListener('pointerup', () => (drag = undefined));
}
