import type { CoreV1Api } from '@kubernetes/client-node';
import { MAX_OUTPUT_BYTES } from '../../operator/api/attempt-data.ts';
import { defineAction, type Action } from './action.ts';
import { NonRetryableError } from './errors.ts';
import { HttpParams, isExpectedStatus, isRetryableStatus } from './http-params.ts';
import { readSecretRef } from './secret-ref.ts';

// What the body may take of the task's output once JSON-encoded (escaping can
// double a text), leaving room for the other fields.
const BODY_BUDGET = MAX_OUTPUT_BYTES - 1024;

/**
 * `http` (Conductor's HTTP task): one request with node's fetch, under the
 * attempt's signal and `timeoutSeconds`. The output is the status and the
 * response body (JSON when the server says so), cut at `maxResponseBytes`
 * with `truncated: true`. An unexpected status fails the attempt: a 5xx, 408
 * or 429, a timeout or a network error obeys the task's retry policy; any
 * other status (a 4xx) fails the task at once. Credentials come only from
 * Secrets of the instance's namespace, read as the attempt starts; they never
 * reach params, outputs, traces or logs.
 */
export function httpAction(core: CoreV1Api): Action<HttpParams> {
  return defineAction({
    name: 'http',
    params: HttpParams,
    async run(ctx, p) {
      const headers = await requestHeaders(core, ctx.instance.namespace, p);
      let body: string | undefined;
      if (p.body !== undefined) {
        body = typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
        if (typeof p.body !== 'string' && !headers.has('content-type')) {
          headers.set('content-type', 'application/json');
        }
      }
      // The query string may carry a token: traces and messages show the path only.
      const url = new URL(p.url);
      const target = `${p.method} ${url.origin}${url.pathname}`;
      const timeout = AbortSignal.timeout(p.timeoutSeconds * 1000);
      let res: Response;
      let read: BoundedText;
      try {
        res = await fetch(p.url, {
          method: p.method,
          headers,
          body,
          signal: AbortSignal.any([ctx.signal, timeout]),
        });
        read = await readBounded(res, p.maxResponseBytes);
      } catch (e) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        if (timeout.aborted) {
          throw new Error(`${target}: no complete answer within ${p.timeoutSeconds}s`);
        }
        throw new Error(`${target}: ${networkError(e)}`);
      }
      const cut = read.truncated ? ', truncated' : '';
      ctx.trace(`${target} → ${res.status} ${res.statusText} (${read.bytes} bytes${cut})`);
      if (!isExpectedStatus(p, res.status)) {
        const excerpt = read.text ? `: ${read.text.slice(0, 200)}` : '';
        const message = `${target} answered ${res.status} ${res.statusText}${excerpt}`;
        throw isRetryableStatus(res.status) ? new Error(message) : new NonRetryableError(message);
      }
      const contentType = res.headers.get('content-type') ?? '';
      return {
        statusCode: res.status,
        reasonPhrase: res.statusText,
        contentType,
        body: bodyValue(read, contentType),
        truncated: read.truncated,
      };
    },
  });
}

/** Inline headers, then those read from Secrets, then `auth`. */
async function requestHeaders(core: CoreV1Api, namespace: string, p: HttpParams): Promise<Headers> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(p.headers)) {
    setHeader(headers, name, value, `params.headers.${name}`);
  }
  for (const [name, { secretRef }] of Object.entries(p.secretHeaders)) {
    const value = await readSecretRef(core, namespace, secretRef);
    setHeader(headers, name, value, `Secret ${namespace}/${secretRef.name} key "${secretRef.key}"`);
  }
  if (p.auth) {
    const { scheme, secretRef } = p.auth;
    const value = await readSecretRef(core, namespace, secretRef);
    const credentials = scheme === 'Basic' ? Buffer.from(value).toString('base64') : value;
    const what = `Secret ${namespace}/${secretRef.name} key "${secretRef.key}"`;
    setHeader(headers, 'authorization', `${scheme} ${credentials}`, what);
  }
  return headers;
}

/** fetch's own message would quote the value: a secret must never be in a message. */
function setHeader(headers: Headers, name: string, value: string, what: string): void {
  try {
    headers.set(name, value);
  } catch {
    throw new NonRetryableError(
      `${what} is not a valid value of header ${name} (line breaks or control characters)`,
    );
  }
}

type BoundedText = { text: string; bytes: number; truncated: boolean };

/** Reads at most `max` bytes of the body and drops the connection's rest. */
async function readBounded(res: Response, max: number): Promise<BoundedText> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  const reader = res.body?.getReader() as ReadableStreamDefaultReader<Uint8Array> | undefined;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = max - bytes;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      bytes += room;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  // A multi-byte character cut at the bound decodes as U+FFFD.
  let text = new TextDecoder().decode(Buffer.concat(chunks));
  while (Buffer.byteLength(JSON.stringify(text)) > BODY_BUDGET) {
    text = text.slice(0, Math.floor(text.length * 0.9));
    truncated = true;
  }
  return { text, bytes, truncated };
}

/** JSON bodies (complete ones) as values downstream templates can address; others as text. */
function bodyValue(read: BoundedText, contentType: string): unknown {
  if (read.truncated || !/[/+]json\b/i.test(contentType)) return read.text;
  try {
    return JSON.parse(read.text) as unknown;
  } catch {
    return read.text;
  }
}

/** fetch says "fetch failed"; the cause says why (ECONNREFUSED, a TLS error, …). */
function networkError(e: unknown): string {
  const cause = e instanceof Error ? (e.cause as { code?: string; message?: string }) : undefined;
  if (cause?.message) return cause.code ? `${cause.code}: ${cause.message}` : cause.message;
  return e instanceof Error ? e.message : String(e);
}
