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

/** The earliest of the dates given (undefined ones ignored): when to wake next. */
export function earliest(dates: ReadonlyArray<Date | undefined>): Date | undefined {
  let min: Date | undefined;
  for (const d of dates) if (d && (!min || d < min)) min = d;
  return min;
}
