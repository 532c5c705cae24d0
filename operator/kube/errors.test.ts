import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isUnreachable,
  isNotFound,
  KubeApiError,
  kubeCall,
  kubeErrorFromStatus,
  toKubeError,
} from './errors.ts';

// What client-node throws: body is the raw JSON string of a Status.
function apiException(code: number, status: object | string | undefined): ApiException<unknown> {
  const body = typeof status === 'object' ? JSON.stringify(status) : status;
  return new ApiException(code, 'Unknown API Status Code!', body, { 'x-big-header': 'noise' });
}

const notFound = apiException(404, {
  kind: 'Status',
  status: 'Failure',
  reason: 'NotFound',
  message: 'leases.coordination.k8s.io "x" not found',
  code: 404,
});
const conflict = apiException(409, {
  reason: 'Conflict',
  message: 'the object has been modified',
  code: 409,
});
const exists = apiException(409, { reason: 'AlreadyExists', message: 'already exists', code: 409 });
const invalid = apiException(422, { reason: 'Invalid', message: 'spec.x: Invalid', code: 422 });

describe('toKubeError', () => {
  it('maps an ApiException to code, reason and the Status message only', () => {
    const e = toKubeError(notFound);
    expect(e).toBeInstanceOf(KubeApiError);
    expect(e).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'leases.coordination.k8s.io "x" not found',
    });
    expect((e as Error).message).not.toContain('noise');
  });

  it('falls back to a reason derived from the code when the body is no Status', () => {
    expect(toKubeError(apiException(401, undefined))).toMatchObject({
      code: 401,
      reason: 'Unauthorized',
      message: 'Unauthorized (HTTP 401)',
    });
    expect(toKubeError(apiException(502, '<html>bad gateway</html>'))).toMatchObject({
      code: 502,
      reason: 'Unknown',
    });
  });

  it('maps the Watch error that carries a statusCode', () => {
    const err = Object.assign(new Error('Gone'), { statusCode: 410 });
    expect(toKubeError(err)).toMatchObject({ code: 410, reason: 'Expired', message: 'Gone' });
  });

  it('returns other values unchanged', () => {
    const plain = new Error('ECONNREFUSED');
    expect(toKubeError(plain)).toBe(plain);
    expect(toKubeError('x')).toBe('x');
    const mapped = new KubeApiError(404, 'NotFound', 'gone');
    expect(toKubeError(mapped)).toBe(mapped);
  });
});

describe('kubeCall', () => {
  it('returns what the call returns', async () => {
    await expect(kubeCall(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('throws the failure mapped to a KubeApiError', async () => {
    const call = kubeCall(() => Promise.reject(notFound));
    await expect(call).rejects.toMatchObject({ code: 404, reason: 'NotFound' });
    await expect(call).rejects.toBeInstanceOf(KubeApiError);
  });
});

describe('kubeErrorFromStatus', () => {
  it('reads a watch ERROR event object', () => {
    const e = kubeErrorFromStatus({ code: 410, reason: 'Expired', message: 'too old' });
    expect(e).toMatchObject({ code: 410, reason: 'Expired', message: 'too old' });
    expect(kubeErrorFromStatus(null)).toMatchObject({ code: 500, reason: 'InternalError' });
  });
});

describe('predicates', () => {
  it('classify raw exceptions and mapped errors alike', () => {
    for (const e of [notFound, toKubeError(notFound)]) expect(isNotFound(e)).toBe(true);
    expect(isConflict(conflict)).toBe(true);
    expect(isAlreadyExists(conflict)).toBe(false);
    expect(isAlreadyExists(exists)).toBe(true);
    expect(isConflict(exists)).toBe(false);
    expect(isInvalid(invalid)).toBe(true);
    expect(isGone(new KubeApiError(410, 'Expired', 'x'))).toBe(true);
  });

  it('are false for anything that is not an API error', () => {
    for (const e of [undefined, null, 'NotFound', new Error('404'), { code: 404 }]) {
      expect(isNotFound(e)).toBe(false);
      expect(isConflict(e)).toBe(false);
      expect(isAlreadyExists(e)).toBe(false);
      expect(isInvalid(e)).toBe(false);
    }
  });
});

describe('isUnreachable', () => {
  it('is true when the API server gave no answer, or answered that it is unavailable', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), {
        code: 'ECONNREFUSED',
      }),
    });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    for (const e of [refused, reset, timeout, new KubeApiError(503, 'ServiceUnavailable', 'x')]) {
      expect(isUnreachable(e)).toBe(true);
    }
    expect(isUnreachable(new KubeApiError(504, 'Timeout', 'x'))).toBe(true);
    expect(isUnreachable(new KubeApiError(429, 'TooManyRequests', 'x'))).toBe(true);
  });

  it('is false for an answer about the object or the caller, and for our own errors', () => {
    for (const e of [notFound, conflict, invalid, new KubeApiError(403, 'Forbidden', 'x')]) {
      expect(isUnreachable(e)).toBe(false);
    }
    expect(isUnreachable(new Error('the Lease keeps changing'))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });
});
