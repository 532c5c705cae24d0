import { z } from 'zod';
import { SecretRef } from './secret-ref.ts';

/** The most of a response body kept in the output (the whole output is at most 8 KiB). */
export const MAX_RESPONSE_BYTES = 6144;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;
// Headers that carry credentials: only from a Secret (auth or secretHeaders), never inline.
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

const headerName = z.string().regex(HEADER_NAME, 'must be an HTTP header name');

/** The params of the built-in `http` action (docs/builtin-actions.md). */
export const HttpParams = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .refine((u) => {
        const parsed = new URL(u);
        return parsed.username === '' && parsed.password === '';
      }, 'must not carry credentials (user:password@): use auth with a Secret'),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    headers: z
      .record(headerName, z.string().max(8192))
      .default({})
      .refine(
        (h) => !Object.keys(h).some((k) => CREDENTIAL_HEADERS.has(k.toLowerCase())),
        'credentials (Authorization, Proxy-Authorization, Cookie) must come from a Secret: use auth or secretHeaders',
      ),
    /** Header values read from Secrets in the instance's namespace. */
    secretHeaders: z.record(headerName, z.object({ secretRef: SecretRef }).strict()).default({}),
    /** `Authorization: <scheme> <value>`; for Basic the Secret's value is `user:password`. */
    auth: z
      .object({ scheme: z.enum(['Bearer', 'Basic']), secretRef: SecretRef })
      .strict()
      .optional(),
    /** A string is sent as is; anything else as JSON (with `Content-Type: application/json`). */
    body: z.unknown().optional(),
    /** The whole request, from connecting to the last byte of the body kept. */
    timeoutSeconds: z.coerce.number().positive().max(3600).default(30),
    /** Status codes that mean success; default: any 2xx. */
    expectedStatus: z.array(z.int().min(100).max(599)).min(1).max(100).optional(),
    /** Bytes of the response body kept in the output; the rest is cut and `truncated` set. */
    maxResponseBytes: z.int().min(0).max(MAX_RESPONSE_BYTES).default(4096),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.body !== undefined && (p.method === 'GET' || p.method === 'HEAD')) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `a ${p.method} request has no body`,
      });
    }
    const secret = Object.keys(p.secretHeaders).map((k) => k.toLowerCase());
    if (p.auth && secret.includes('authorization')) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretHeaders', 'Authorization'],
        message: 'auth already sets Authorization',
      });
    }
    const inline = new Set(Object.keys(p.headers).map((k) => k.toLowerCase()));
    for (const name of Object.keys(p.secretHeaders)) {
      if (inline.has(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['secretHeaders', name],
          message: 'is also set in headers',
        });
      }
    }
  });
export type HttpParams = z.output<typeof HttpParams>;

/**
 * Whether another attempt may get a different answer: a server error, a
 * timeout (408) or rate limit (429) may pass; any other unexpected status
 * (a 4xx: the request itself is wrong) will not.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Whether `status` is a success for these params. */
export function isExpectedStatus(p: Pick<HttpParams, 'expectedStatus'>, status: number): boolean {
  return p.expectedStatus ? p.expectedStatus.includes(status) : status >= 200 && status < 300;
}
