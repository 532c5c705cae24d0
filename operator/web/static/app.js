// The page: a hash router over the namespace page and the instance page.
import { banner, enc, get, h, phaseBadge, stream } from './api.js';
import { instancePage } from './instance.js';

const main = document.getElementById('main');
const crumbs = document.getElementById('crumbs');
let config;
/** What the current page must undo when the route changes (its streams). */
let leave = () => {};
/** The instance page shown, so that choosing a task does not rebuild it. */
let shown;

async function namespacePage(ns) {
  crumbs.replaceChildren(h('a', { href: `#/ns/${enc(ns)}` }, `namespace ${ns}`));
  const picker = h('select', {
    'data-testid': 'namespace',
    onchange: (e) => (location.hash = `#/ns/${enc(e.target.value)}`),
  });
  const dags = h('tbody');
  const instances = h('tbody', { 'data-testid': 'instances' });
  main.replaceChildren(
    h('p', {}, 'Namespace ', picker),
    h('h2', {}, 'Dags'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h('tr', {}, ...['NAME', 'TASKS', 'VALID', 'MESSAGE'].map((t) => h('th', {}, t))),
      ),
      dags,
    ),
    h('h2', {}, 'Instances'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['NAME', 'DAG', 'PHASE', 'PROGRESS', 'CREATED', 'DURATION'].map((t) => h('th', {}, t)),
        ),
      ),
      instances,
    ),
  );
  get('/api/namespaces').then(
    (names) => {
      picker.replaceChildren(
        ...[...new Set([ns, ...names])]
          .sort()
          .map((n) => h('option', { value: n, selected: n === ns }, n)),
      );
    },
    (e) => banner(e.message, true),
  );
  get(`/api/namespaces/${enc(ns)}/dags`).then(
    (list) => {
      dags.replaceChildren(
        ...list.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, d.name),
            h('td', {}, d.tasks),
            h('td', {}, d.valid),
            h('td', { class: 'muted' }, d.message),
          ),
        ),
      );
    },
    (e) => banner(e.message, true),
  );
  return stream(`/api/namespaces/${enc(ns)}/instances/stream`, {
    instances: (rows) => {
      instances.replaceChildren(
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-instance': r.name },
            h('td', {}, h('a', { href: `#/ns/${enc(ns)}/i/${enc(r.name)}` }, r.name)),
            h('td', {}, r.dag),
            h('td', {}, phaseBadge(r.phase)),
            h('td', { 'data-testid': 'progress' }, r.progress),
            h('td', {}, r.created),
            h('td', {}, r.duration),
          ),
        ),
      );
    },
  });
}

async function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (
    shown &&
    parts[0] === 'ns' &&
    parts[1] === shown.ns &&
    parts[2] === 'i' &&
    parts[3] === shown.name
  ) {
    shown.select(parts[4] === 't' ? parts[5] : undefined);
    return;
  }
  leave();
  leave = () => {};
  shown = undefined;
  banner('');
  if (parts[0] !== 'ns' || !parts[1]) {
    location.hash = `#/ns/${enc(config.namespace)}`;
    return;
  }
  const ns = parts[1];
  if (parts[2] === 'i' && parts[3]) {
    shown = await instancePage(
      main,
      crumbs,
      config,
      ns,
      parts[3],
      parts[4] === 't' ? parts[5] : undefined,
    );
    leave = shown.leave;
  } else {
    leave = await namespacePage(ns);
  }
}

config = await get('/api/config');
document.getElementById('mode').textContent = config.readOnly ? 'read-only' : '';
window.addEventListener('hashchange', () => route().catch((e) => banner(e.message, true)));
route().catch((e) => banner(e.message, true));
