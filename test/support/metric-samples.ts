import type { Registry } from 'prom-client';

/** Every sample of the registry as `name{a="x",b="y"}` → value, labels sorted by name. */
export async function samples(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const metric of await registry.getMetricsAsJSON()) {
    for (const v of metric.values) {
      const labels = Object.entries(v.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => `${k}="${String(x)}"`)
        .join(',');
      const name = (v as { metricName?: string }).metricName ?? metric.name;
      out.set(labels ? `${name}{${labels}}` : name, v.value);
    }
  }
  return out;
}
