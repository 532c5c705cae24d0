/** A short human duration as kubectl columns show them: `850ms`, `12.3s`, `4m05s`, `2h03m`. */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, Math.round(ms));
  if (clamped < 1000) return `${clamped}ms`;
  // Truncated like the longer forms, so 59,999 ms is 59.9s, never 60.0s.
  if (clamped < 60_000) return `${(Math.floor(clamped / 100) / 10).toFixed(1)}s`;
  const totalSeconds = Math.floor(clamped / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m${pad(totalSeconds % 60)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h${pad(totalMinutes % 60)}m`;
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * Milliseconds of a Go duration (`90s`, `1h30m`, `250ms`, `1.5h`) as the
 * api's WaitDuration admits it; undefined for anything else.
 */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((ms, [, n, unit]) => ms + Number(n) * UNIT_MS[unit ?? 's']!, 0));
}

/** The earliest of the dates given (undefined ones ignored): when to wake next. */
export function earliest(dates: ReadonlyArray<Date | undefined>): Date | undefined {
  let min: Date | undefined;
  for (const d of dates) if (d && (!min || d < min)) min = d;
  return min;
}
