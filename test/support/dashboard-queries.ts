/**
 * What the chart's Grafana dashboard asks of Prometheus, and what a fastflow
 * process exposes: to check that every query names real metrics and labels.
 */

/** The series of a process's /metrics page: metric name → the label names it has. */
export async function exposedSeries(port: number): Promise<Map<string, Set<string>>> {
  const deadline = Date.now() + 15_000;
  let text: string | undefined;
  while (text === undefined) {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
    if (res?.ok) text = await res.text();
    else if (Date.now() > deadline) throw new Error(`no /metrics on port ${port}`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const series = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m?.[1]) continue;
    const labels = series.get(m[1]) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/(\w+)="/g)) labels.add(l[1] as string);
    series.set(m[1], labels);
  }
  return series;
}

/** What the dashboard may call: PromQL functions and aggregations, and Grafana's label_values. */
export const PROMQL_FUNCTIONS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'histogram_quantile',
  'label_values',
]);
const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset']);

/** The metrics, labels and functions a PromQL expression (or a Grafana `label_values()`) names. */
export function promqlNames(query: string): {
  metrics: string[];
  labels: string[];
  functions: string[];
} {
  const labels: string[] = [];
  const functions: string[] = [];
  let expr = query;
  // label_values([selector,] label): the last argument is a label.
  const lv = /^\s*label_values\((?:(.*),)?\s*([a-zA-Z_]\w*)\s*\)\s*$/.exec(expr);
  if (lv) {
    functions.push('label_values');
    labels.push(lv[2] as string);
    expr = lv[1] ?? '';
  }
  const rest = expr
    .replace(/\{([^}]*)\}/g, (_, matchers: string) => {
      for (const m of matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g)) {
        labels.push(m[1] as string);
      }
      return ' ';
    })
    .replace(/\[[^\]]*\]/g, ' ') // ranges: [5m], [$__rate_interval]
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, names) => {
      labels.push(...(names as string).split(',').map((n) => n.trim()));
      return ' ';
    });
  const metrics: string[] = [];
  for (const m of rest.matchAll(/(?<![\w.$])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] as string;
    if (m[2] !== undefined) functions.push(name);
    else if (!PROMQL_KEYWORDS.has(name)) metrics.push(name);
  }
  return { metrics, labels: labels.filter((l) => l !== ''), functions };
}

interface GrafanaTarget {
  datasource?: unknown;
  expr?: string;
}
interface GrafanaPanel {
  type: string;
  title: string;
  datasource?: unknown;
  targets?: GrafanaTarget[];
  panels?: GrafanaPanel[];
}
export interface GrafanaDashboard {
  uid: string;
  panels: GrafanaPanel[];
  templating: {
    list: {
      name: string;
      type: string;
      datasource?: unknown;
      query?: string | { query: string };
    }[];
  };
}
