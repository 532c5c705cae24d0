// The server's API (operator/web/routes.ts), as the page calls it.

export async function get(path) {
  const res = await fetch(path);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body;
}

/** Asks for an operation; resolves with the operator's message, rejects with its refusal. */
export async function operate(ns, name, request) {
  const res = await fetch(`/api/namespaces/${enc(ns)}/instances/${enc(name)}/operations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-fastflow-ui': '1' },
    body: JSON.stringify(request),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? `${res.status}`);
  return body.message;
}

/** Opens a Server-Sent Event stream; `on` maps event names to handlers. Returns the close. */
export function stream(path, on) {
  const source = new EventSource(path);
  for (const [event, handler] of Object.entries(on)) {
    source.addEventListener(event, (e) => handler(JSON.parse(e.data)));
  }
  return () => source.close();
}

export const enc = encodeURIComponent;

/** An element: tag, attributes (on* are listeners), children (strings or nodes). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) el.append(c instanceof Node ? c : String(c ?? ''));
  return el;
}

export function phaseBadge(phase) {
  return h('span', { class: `phase ${phase}`, 'data-phase': phase }, phase);
}

/** The line under the header: what an operation did, or what went wrong. */
export function banner(text, error = false) {
  const b = document.getElementById('banner');
  b.hidden = !text;
  b.textContent = text ?? '';
  b.className = error ? 'error' : '';
}
