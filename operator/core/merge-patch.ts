type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`, or undefined
 * when they are equal. Sending only what changed keeps status writes small
 * and leaves the keys other writers own (other tasks) untouched.
 */
export function mergePatchDiff(from: unknown, to: unknown): Json | undefined {
  // A decision keeps the entries it did not change as they were: one comparison skips each.
  if (from === to) return undefined;
  if (!isObject(from) || !isObject(to)) {
    return canonical(from) === canonical(to) ? undefined : (to as Json);
  }
  // Own keys only (a task may be called "constructor"), and entries rather
  // than assignment so that a "__proto__" key stays a key.
  const patch: [string, Json][] = [];
  for (const key of Object.keys(from)) {
    if (!Object.hasOwn(to, key) || to[key] === undefined) {
      if (from[key] !== undefined) patch.push([key, null]);
    }
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const sub = mergePatchDiff(Object.hasOwn(from, key) ? from[key] : undefined, value);
    if (sub !== undefined) patch.push([key, sub]);
  }
  return patch.length > 0 ? Object.fromEntries(patch) : undefined;
}

/**
 * JSON text with object keys sorted, so that values equal as JSON compare
 * equal whatever their key order (the API server returns keys sorted; the
 * status computed here does not).
 */
function canonical(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
