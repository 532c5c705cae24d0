/**
 * Counts API writes from the kube-apiserver's own Prometheus endpoint
 * (`apiserver_request_total`), scraped before and after each phase: the
 * server's view, which includes every client (operator, worker, the bench).
 */
import https from 'node:https';

const WRITE_VERBS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);

/** One sample of `apiserver_request_total`. */
export type RequestSample = {
  verb: string;
  resource: string;
  subresource: string;
  code: string;
  value: number;
};

/**
 * `at`: when scraped; `samples`: `apiserver_request_total`; `instanceWatchEvents`:
 * watch events the API server sent for DagInstances, to every watcher.
 */
export type Scrape = { at: number; samples: RequestSample[]; instanceWatchEvents: number };

const SCRAPE_TIMEOUT_MS = 10_000;

/** GET `${server}/metrics` as admin (self-signed TLS of the local cluster). */
function fetchMetrics(server: string, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      new URL('/metrics', server),
      {
        headers: { Authorization: `Bearer ${token}` },
        // The local control plane's serving certificate is self-signed.
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode === 200) resolve(body);
          else reject(new Error(`GET /metrics: HTTP ${res.statusCode}: ${body.slice(0, 300)}`));
        });
      },
    );
    req.setTimeout(SCRAPE_TIMEOUT_MS, () => req.destroy(new Error('GET /metrics: timeout')));
    req.on('error', reject);
  });
}

const LINE = /^apiserver_request_total\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Parses the `apiserver_request_total` samples of a Prometheus text exposition. */
function parseRequestTotals(text: string): RequestSample[] {
  const out: RequestSample[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[1] ?? '').matchAll(LABEL)) labels[l[1] ?? ''] = l[2] ?? '';
    out.push({
      verb: labels['verb'] ?? '',
      resource: labels['resource'] ?? '',
      subresource: labels['subresource'] ?? '',
      code: labels['code'] ?? '',
      value: Number(m[2]),
    });
  }
  return out;
}

const WATCH_EVENTS = /^apiserver_watch_events_total\{([^}]*)\}\s+(\S+)/;

/**
 * Sum of `apiserver_watch_events_total` for DagInstances. Its labels changed
 * across Kubernetes versions (`kind="DagInstance"`, later `resource="daginstances"`):
 * either is accepted.
 */
export function parseInstanceWatchEvents(text: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = WATCH_EVENTS.exec(line);
    if (!m) continue;
    const labels = m[1] ?? '';
    if (!labels.includes('group="fastflow.io"')) continue;
    if (labels.includes('kind="DagInstance"') || labels.includes('resource="daginstances"')) {
      total += Number(m[2]);
    }
  }
  return total;
}

export async function scrape(server: string, token: string): Promise<Scrape> {
  const text = await fetchMetrics(server, token);
  return {
    at: performance.now(),
    samples: parseRequestTotals(text),
    instanceWatchEvents: parseInstanceWatchEvents(text),
  };
}

const key = (s: RequestSample): string => `${s.verb}|${s.resource}|${s.subresource}|${s.code}`;

/** after − before, per (verb, resource, subresource, code); counters only grow. */
export function diff(before: Scrape, after: Scrape): RequestSample[] {
  const base = new Map(before.samples.map((s) => [key(s), s.value]));
  return after.samples
    .map((s) => ({ ...s, value: s.value - (base.get(key(s)) ?? 0) }))
    .filter((s) => s.value > 0);
}

export type WriteCounts = {
  /** Seconds between the two scrapes. */
  seconds: number;
  /** Writes to daginstances, any subresource, any status code. */
  daginstances: number;
  leases: number;
  controllerrevisions: number;
  /** Writes to any resource. */
  all: number;
  /** For those three, TaskResults and Events: writes by "VERB subresource code", e.g. "PATCH status 200". */
  breakdown: Map<string, Map<string, number>>;
  /** Writes to resources other than those three, by resource. */
  others: Map<string, number>;
  /** Refused writes to daginstances: HTTP 409 (a stale resourceVersion), 422 (invalid). */
  daginstanceConflicts: number;
  /** Watch events sent for DagInstances, to all watchers (the bench's own watch included). */
  instanceWatchEvents: number;
};

const COUNTED_RESOURCES = ['daginstances', 'leases', 'controllerrevisions'] as const;
/** Also broken down by verb, subresource and code (the workers' and the operator's other writes). */
const BROKEN_DOWN = [...COUNTED_RESOURCES, 'taskresults', 'events'] as const;

export function writeCounts(before: Scrape, after: Scrape): WriteCounts {
  const d = diff(before, after).filter((s) => WRITE_VERBS.has(s.verb));
  const sum = (resource: string): number =>
    d.filter((s) => s.resource === resource).reduce((a, s) => a + s.value, 0);
  const breakdown = new Map<string, Map<string, number>>();
  for (const resource of BROKEN_DOWN) {
    const byKey = new Map<string, number>();
    for (const s of d.filter((x) => x.resource === resource)) {
      const k = `${s.verb} ${s.subresource || '(object)'} ${s.code}`;
      byKey.set(k, (byKey.get(k) ?? 0) + s.value);
    }
    breakdown.set(resource, new Map([...byKey].sort((a, b) => b[1] - a[1])));
  }
  const others = new Map<string, number>();
  for (const s of d) {
    if ((COUNTED_RESOURCES as readonly string[]).includes(s.resource)) continue;
    const name = s.resource || '(none)';
    others.set(name, (others.get(name) ?? 0) + s.value);
  }
  return {
    seconds: (after.at - before.at) / 1000,
    daginstances: sum('daginstances'),
    leases: sum('leases'),
    controllerrevisions: sum('controllerrevisions'),
    all: d.reduce((a, s) => a + s.value, 0),
    breakdown,
    others,
    daginstanceConflicts: d
      .filter((s) => s.resource === 'daginstances' && (s.code === '409' || s.code === '422'))
      .reduce((a, s) => a + s.value, 0),
    instanceWatchEvents: after.instanceWatchEvents - before.instanceWatchEvents,
  };
}
