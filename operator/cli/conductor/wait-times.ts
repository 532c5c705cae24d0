/**
 * A Conductor WAIT's `duration` ("2 days 3 hours", "30m", "10 seconds") and
 * `until` ("2026-12-24 18:00 UTC", "2026-12-24 18:00", "2026-12-24") as our
 * `wait.duration` (a Go duration) and `wait.until` (RFC 3339).
 */

const DURATION =
  /^\s*(?:(\d+)\s*(?:days?|d))?\s*(?:(\d+)\s*(?:hours?|hrs?|h))?\s*(?:(\d+)\s*(?:minutes?|mins?|m))?\s*(?:(\d+)\s*(?:seconds?|secs?|s))?\s*$/i;

/** The Go duration of a Conductor duration, or why there is none. */
export function goDuration(text: string): { duration: string } | { error: string } {
  const m = DURATION.exec(text);
  if (!m || !m.slice(1).some((x) => x !== undefined)) {
    return {
      error: `duration "${text}" is not Conductor's "<n> days <n> hours <n> minutes <n> seconds"`,
    };
  }
  const [d, h, min, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number];
  const hours = d * 24 + h;
  const out = `${hours ? `${hours}h` : ''}${min ? `${min}m` : ''}${s ? `${s}s` : ''}`;
  return { duration: out === '' ? '0s' : out };
}

const UNTIL = /^(\d{4}-\d{2}-\d{2})(?:\s+(\d{2}:\d{2}))?(?:\s+(.+))?$/;

/**
 * The RFC 3339 time of a Conductor `until`; a time without a zone is read as
 * UTC (`zoneless`: Conductor read it in the server's zone).
 */
export function rfc3339(text: string): { until: string; zoneless: boolean } | { error: string } {
  const m = UNTIL.exec(text.trim());
  if (!m)
    return {
      error: `until "${text}" is not "yyyy-MM-dd HH:mm z", "yyyy-MM-dd HH:mm" or "yyyy-MM-dd"`,
    };
  const [, date, time = '00:00', zone] = m;
  let offset: string | undefined;
  if (zone === undefined || /^(UTC|GMT|Z)$/i.test(zone)) offset = 'Z';
  else if (/^[+-]\d{2}:?\d{2}$/.test(zone)) offset = `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  if (offset === undefined) {
    return {
      error: `until "${text}": the zone "${zone}" is ambiguous; write it as UTC or an offset (+01:00)`,
    };
  }
  const until = `${date}T${time}:00${offset}`;
  if (Number.isNaN(Date.parse(until))) return { error: `until "${text}" is not a valid time` };
  return { until, zoneless: zone === undefined };
}
