/** Small statistics and formatting helpers for the benchmark's printed figures. */

export type Summary = {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
};

/** Nearest-rank percentile of an ascending array (p in 0..100). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? NaN;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length > 0 ? sum / sorted.length : NaN,
  };
}

/** A number for a table cell: "—" when unknown. */
export function fmt(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function fmtMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value >= 10_000 ? `${fmt(value / 1000, 1)} s` : `${fmt(value)} ms`;
}

/** "p50 12 ms, p90 …" for a latency summary. */
export function fmtLatency(
  s: Summary,
  keys: readonly (keyof Summary)[] = ['p50', 'p90', 'p99', 'max'],
): string {
  if (s.n === 0) return 'no samples';
  return `${keys.map((k) => `${k} ${fmtMs(s[k])}`).join(', ')} (n=${s.n})`;
}

/** A plain text table with a header row; numbers are right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[-—0-9.,%× a-z/]*$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) =>
        (numeric[i] ?? false) && i > 0 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Milliseconds since the epoch of an RFC 3339 timestamp, NaN when absent or malformed. */
export function ms(timestamp: string | undefined): number {
  return timestamp === undefined ? NaN : Date.parse(timestamp);
}
