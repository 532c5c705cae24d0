// The task panel: its phase, attempts, params, output, traces and the
// operations that may apply to it.
import { enc, get, h, phaseBadge } from './api.js';

const json = (v) => h('pre', {}, JSON.stringify(v, null, 2));

export function taskPanel(panel, { ns, name, readOnly, act }) {
  let current;
  return async (key, quiet = false) => {
    current = key;
    let d;
    try {
      d = await get(`/api/namespaces/${enc(ns)}/instances/${enc(name)}/tasks/${enc(key)}`);
    } catch (e) {
      if (!quiet) panel.replaceChildren(h('p', {}, e.message));
      return;
    }
    if (current !== key) return;
    const t = d.status;
    const message = h('input', {
      placeholder: 'message (approve/reject)',
      'data-testid': 'message',
    });
    const attempts = [t, ...(t.history ?? [])].filter((a) => a.attempt !== undefined);
    panel.replaceChildren(
      h('h3', { 'data-testid': 'task-key' }, key, ' ', phaseBadge(t.phase)),
      readOnly
        ? ''
        : h(
            'div',
            {},
            ...d.actions.map((op) =>
              h(
                'button',
                {
                  'data-task-op': op,
                  onclick: () =>
                    act({ op, tasks: [key], ...(message.value ? { message: message.value } : {}) }),
                },
                op,
              ),
            ),
            d.actions.some((a) => a === 'approve') ? message : '',
          ),
      t.reason || t.message ? h('p', {}, [t.reason, t.message].filter(Boolean).join(': ')) : '',
      h('h4', {}, 'Attempts'),
      attempts.length === 0
        ? h('p', { class: 'muted' }, 'Not run yet.')
        : h(
            'table',
            { 'data-testid': 'attempts' },
            h(
              'tr',
              {},
              ...['#', 'PHASE', 'WORKER', 'STARTED', 'FINISHED', 'REASON'].map((c) =>
                h('th', {}, c),
              ),
            ),
            ...attempts.map((a) =>
              h(
                'tr',
                {},
                h('td', {}, a.attempt),
                h('td', {}, phaseBadge(a.phase)),
                h('td', {}, a.worker ?? ''),
                h('td', {}, a.startedAt ?? ''),
                h('td', {}, a.finishedAt ?? ''),
                h('td', {}, a.reason ?? ''),
              ),
            ),
          ),
      h('h4', {}, 'Params'),
      json(t.params ?? d.spec?.params ?? {}),
      h('h4', {}, 'Output'),
      t.output === undefined ? h('p', { class: 'muted' }, 'None yet.') : json(t.output),
      h('h4', {}, 'Trace'),
      d.traces.length === 0
        ? h('p', { class: 'muted' }, 'No trace lines.')
        : h(
            'div',
            {},
            d.traces.map((tr) => [
              h(
                'div',
                { class: 'muted' },
                `attempt ${tr.attempt}${tr.dropped ? ` (${tr.dropped} earlier lines dropped)` : ''}`,
              ),
              h('pre', { 'data-testid': 'trace' }, tr.lines.join('\n')),
            ]),
          ),
      h('h4', {}, 'Declared'),
      json(d.spec),
    );
  };
}
