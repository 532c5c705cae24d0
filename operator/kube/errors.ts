import { ApiException } from '@kubernetes/client-node';

/**
 * An API server error reduced to what callers branch on: the HTTP code and the
 * Status `reason` (NotFound, Conflict, AlreadyExists, Invalid, Expired, ...).
 * client-node's `ApiException` message embeds the whole body and every
 * response header, which floods logs; this one carries only the Status message.
 */
export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;

  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = reason;
  }
}

/**
 * Thrown by a reconcile to say "the input is wrong, retrying will not help":
 * the controller logs it and forgets the key instead of backing off forever
 * (controller-runtime's `reconcile.TerminalError`).
 */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

// Reasons the API server uses for these codes, for bodies that carry no Status
// (401 has an empty body, proxies answer with HTML).
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * Maps client-node's `ApiException` (body = the raw JSON string of a Status)
 * and the `Watch`'s `Error` with a `statusCode` to a `KubeApiError`. Anything
 * else (network errors, timeouts, our own errors) is returned unchanged.
 */
export function toKubeError(e: unknown): unknown {
  if (e instanceof KubeApiError) return e;
  if (e instanceof ApiException) return fromStatus(e.code, parseStatus(e.body));
  if (e instanceof Error && 'statusCode' in e && typeof e.statusCode === 'number') {
    return fromStatus(e.statusCode, { message: e.message });
  }
  return e;
}

/**
 * Runs one API call with its failure mapped by `toKubeError`: the one place
 * the `try { … } catch (e) { throw toKubeError(e) }` of every caller lives.
 */
export async function kubeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw toKubeError(e);
  }
}

/** Builds a `KubeApiError` from a Status object, e.g. a watch `ERROR` event. */
export function kubeErrorFromStatus(status: unknown): KubeApiError {
  const s = asStatus(status);
  return fromStatus(s.code ?? 500, s);
}

type StatusFields = { code?: number; reason?: string; message?: string };

function fromStatus(code: number, status: StatusFields): KubeApiError {
  const reason = status.reason || REASON_BY_CODE[code] || 'Unknown';
  return new KubeApiError(code, reason, status.message || `${reason} (HTTP ${code})`);
}

function parseStatus(body: unknown): StatusFields {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      return asStatus(JSON.parse(body.toString()));
    } catch {
      return {};
    }
  }
  return asStatus(body);
}

function asStatus(v: unknown): StatusFields {
  if (typeof v !== 'object' || v === null) return {};
  const o: Record<string, unknown> = { ...v };
  return {
    ...(typeof o['code'] === 'number' ? { code: o['code'] } : {}),
    ...(typeof o['reason'] === 'string' ? { reason: o['reason'] } : {}),
    ...(typeof o['message'] === 'string' ? { message: o['message'] } : {}),
  };
}

function codeAndReason(e: unknown): { code?: number; reason?: string } {
  const k = toKubeError(e);
  return k instanceof KubeApiError ? { code: k.code, reason: k.reason } : {};
}

export function isNotFound(e: unknown): boolean {
  return codeAndReason(e).code === 404;
}

/** 409 from a stale resourceVersion (optimistic concurrency), not AlreadyExists. */
export function isConflict(e: unknown): boolean {
  const { code, reason } = codeAndReason(e);
  return code === 409 && reason !== 'AlreadyExists';
}

/** 409 from a create whose name is taken. */
export function isAlreadyExists(e: unknown): boolean {
  const { code, reason } = codeAndReason(e);
  return code === 409 && reason === 'AlreadyExists';
}

/** 422: the object failed validation (schema, CEL, immutable field). */
export function isInvalid(e: unknown): boolean {
  return codeAndReason(e).code === 422;
}

/** 410: the resourceVersion (or continue token) is too old; relist. */
export function isGone(e: unknown): boolean {
  return codeAndReason(e).code === 410;
}

// Error codes of a request that got no answer from the API server (Node's
// sockets and undici's): refused, reset, timed out, no route, no DNS.
const NO_ANSWER_CODE =
  /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|UND_ERR_)/;

/**
 * Whether a failed call says nothing about the object, only that the API
 * server could not answer: no answer at all (connection refused or reset,
 * a timeout), or an answer that it is unavailable (5xx, 429). A worker that
 * sees only such failures is cut off, not refused (kubelet's distinction).
 */
export function isUnreachable(e: unknown): boolean {
  const k = toKubeError(e);
  if (k instanceof KubeApiError) return k.code >= 500 || k.code === 429;
  for (let c: unknown = k, depth = 0; c instanceof Error && depth < 4; depth++) {
    if (c.name === 'TimeoutError' || c.name === 'FetchError') return true;
    if (c instanceof TypeError && c.message === 'fetch failed') return true;
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && NO_ANSWER_CODE.test(code)) return true;
    c = c.cause;
  }
  return false;
}
