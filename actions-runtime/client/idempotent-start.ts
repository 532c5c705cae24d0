/**
 * Starting a Dag at most once per idempotency key: the instance's name is
 * derived from the Dag and the key, so the API server's create (409 on an
 * existing name) is the one place that decides, race-free, and a second
 * start with the key finds the first instance instead of making another.
 */
import { createHash } from 'node:crypto';
import { IDEMPOTENCY_KEY_ANNOTATION } from '../../operator/api/names.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import type { KubeObject } from '../../operator/kube/types.ts';
import { readInstance } from '../../operator/store/instance-read.ts';
import { FastflowClientError } from './errors.ts';

/** Longest idempotency key: it is kept in an annotation, whole. */
export const MAX_IDEMPOTENCY_KEY = 1024;

/**
 * `<dag>-<16 hex of sha256(dag, key)>`, at most 63 characters (the instance
 * name is a label value on its ConfigMaps). 64 bits of hash: two keys of one
 * Dag colliding is far less likely than a lost request.
 */
export function idempotentName(dag: string, key: string): string {
  const hash = createHash('sha256').update(`${dag}\n${key}`).digest('hex').slice(0, 16);
  return `${dag.slice(0, 46).replace(/[-.]+$/, '')}-${hash}`;
}

/** The name a start gives its instance, and how it finds the one its key started before. */
export interface StartIdentity {
  name: string | undefined;
  annotations?: Record<string, string>;
  /** The instance this key started before; undefined when none (or no key). */
  before: () => Promise<string | undefined>;
}

export function startIdentity(
  clients: KubeClients,
  namespace: string,
  dag: string,
  opts: { name?: string; idempotencyKey?: string },
): StartIdentity {
  const key = opts.idempotencyKey;
  if (key === undefined) return { name: opts.name, before: () => Promise.resolve(undefined) };
  checkIdempotencyKey(key, opts.name);
  const name = idempotentName(dag, key);
  return {
    name,
    annotations: { [IDEMPOTENCY_KEY_ANNOTATION]: key },
    before: () => startedBefore(clients, { namespace, name }, dag, key),
  };
}

function checkIdempotencyKey(key: string, name: string | undefined): void {
  if (key === '' || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new FastflowClientError(
      'Invalid',
      `idempotency key: 1 to ${MAX_IDEMPOTENCY_KEY} characters (got ${key.length})`,
    );
  }
  if (name !== undefined) {
    throw new FastflowClientError(
      'Invalid',
      'give a name or an idempotency key, not both: the key derives the name',
    );
  }
}

/**
 * The instance started before with this key, or undefined when there is
 * none. One of that name that another Dag or key made is an error, never
 * taken for it.
 */
async function startedBefore(
  clients: KubeClients,
  ref: { namespace: string; name: string },
  dag: string,
  key: string,
): Promise<string | undefined> {
  const found = (await readInstance(clients.custom, ref)) as
    (KubeObject & { spec?: { dagRef?: { name?: string } } }) | undefined;
  if (found === undefined) return undefined;
  const theirs = found.metadata?.annotations?.[IDEMPOTENCY_KEY_ANNOTATION];
  if (theirs !== key || found.spec?.dagRef?.name !== dag) {
    throw new FastflowClientError(
      'Invalid',
      `DagInstance "${ref.name}" in namespace "${ref.namespace}" exists but was not started ` +
        `from Dag "${dag}" with this idempotency key`,
    );
  }
  return ref.name;
}
