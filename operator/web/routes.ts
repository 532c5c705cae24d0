/**
 * The JSON API and streams under /api/ (see operator/web/README.md for the
 * list). Every read goes through the UiBackend, so what a user may read or
 * do is what their kubeconfig (or the chart's ServiceAccount) may.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ObjectName } from '../api/common.ts';
import { KubeApiError } from '../kube/errors.ts';
import { HttpError, type OperationRequest, type UiBackend } from './backend.ts';
import { cachedLayout } from './layout-cache.ts';
import { reply } from './server.ts';
import { openSse, streamInstance, streamInstances } from './streams.ts';
import { taskDetails } from './task-details.ts';
import type { WatchHub } from './watch-hub.ts';

export type ApiContext = { backend: UiBackend; hub: WatchHub; readOnly: boolean };

/** Largest request body accepted (an operation with its vars or payload). */
const MAX_BODY = 64 * 1024;

function name(what: string, value: string | undefined): string {
  const v = decodeURIComponent(value ?? '');
  if (!ObjectName.safeParse(v).success) throw new HttpError(400, `${what} "${v}" is not a name`);
  return v;
}

async function body(req: IncomingMessage): Promise<OperationRequest> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the request is over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not JSON');
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as { op?: unknown }).op !== 'string'
  ) {
    throw new HttpError(400, 'the request names no operation ("op")');
  }
  return parsed as OperationRequest;
}

type Handler = (
  ctx: ApiContext,
  m: string[],
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<void>;

const INSTANCE = '/api/namespaces/([^/]+)/instances/([^/]+)';

/** Method and path pattern → handler; the first match answers. */
const ROUTES: [string, RegExp, Handler][] = [
  [
    'GET',
    /^\/api\/config$/,
    (ctx, _m, _req, res) =>
      Promise.resolve(
        reply(res, 200, { namespace: ctx.backend.namespace, readOnly: ctx.readOnly }),
      ),
  ],
  [
    'GET',
    /^\/api\/namespaces$/,
    async (ctx, _m, _req, res) => reply(res, 200, await ctx.backend.namespaces()),
  ],
  [
    'GET',
    /^\/api\/namespaces\/([^/]+)\/dags$/,
    async (ctx, m, _req, res) => reply(res, 200, await ctx.backend.dags(name('namespace', m[1]))),
  ],
  [
    'GET',
    /^\/api\/namespaces\/([^/]+)\/instances\/stream$/,
    async (ctx, m, req, res) => {
      const ns = name('namespace', m[1]);
      await ctx.backend.dags(ns); // a namespace the user may not read fails here, not in a retrying watch
      await streamInstances(openSse(req, res), ctx.hub, ns);
    },
  ],
  [
    'GET',
    new RegExp(`^${INSTANCE}/stream$`),
    async (ctx, m, req, res) => {
      const ns = name('namespace', m[1]);
      const instance = name('instance', m[2]);
      await ctx.backend.instance(ns, instance);
      await streamInstance(openSse(req, res), ctx.hub, ctx.backend, ns, instance);
    },
  ],
  [
    'GET',
    new RegExp(`^${INSTANCE}/layout$`),
    async (ctx, m, _req, res, url) => {
      const instance = await ctx.backend.instance(name('namespace', m[1]), name('instance', m[2]));
      const expanded = new Set((url.searchParams.get('expand') ?? '').split(',').filter(Boolean));
      reply(res, 200, await cachedLayout(ctx.backend, instance, expanded));
    },
  ],
  [
    'GET',
    new RegExp(`^${INSTANCE}/tasks/([^/]+)$`),
    async (ctx, m, _req, res) => {
      const ns = name('namespace', m[1]);
      const details = await taskDetails(
        ctx.backend,
        ns,
        name('instance', m[2]),
        decodeURIComponent(m[3] ?? ''),
      );
      if (!details) throw new HttpError(404, `no task "${decodeURIComponent(m[3] ?? '')}"`);
      reply(res, 200, details);
    },
  ],
  [
    'POST',
    new RegExp(`^${INSTANCE}/operations$`),
    async (ctx, m, req, res) => {
      if (ctx.readOnly)
        throw new HttpError(403, 'this web view is read-only (operations are not enabled)');
      const ns = name('namespace', m[1]);
      const outcome = await ctx.backend.operate(ns, name('instance', m[2]), await body(req));
      if ('refused' in outcome) reply(res, 409, { error: outcome.refused });
      else reply(res, 200, outcome);
    },
  ],
];

export async function routeApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  try {
    for (const [method, pattern, handler] of ROUTES) {
      const m = pattern.exec(url.pathname);
      if (m && req.method === method) {
        await handler(ctx, m, req, res, url);
        return;
      }
    }
    throw new HttpError(404, `no ${req.method ?? ''} ${url.pathname}`);
  } catch (e) {
    if (res.headersSent) return void res.end();
    if (e instanceof HttpError) return reply(res, e.status, { error: e.message });
    const { status, message } = ctx.backend.describe(e);
    reply(res, e instanceof KubeApiError ? e.code : status, { error: message });
  }
}
