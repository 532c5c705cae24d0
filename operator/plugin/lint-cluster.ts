/**
 * `kubectl fastflow lint --cluster`: a Dag's params checked against the
 * action schemas the cluster's live workers advertise, as the operator
 * checks them (its Dag condition ParamsMatchActions), before applying it.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { ACTION_SCHEMAS_ANNOTATION, type ActionSchemaSet } from '../api/action-schemas.ts';
import { DagSpec } from '../api/dag.ts';
import { parsePath } from '../api/field-path.ts';
import { WORKER_LEASE_LABEL } from '../api/names.ts';
import { checkParams, mergeAdvertised } from '../core/params-check.ts';
import { kubeCall } from '../kube/errors.ts';
import { ActionSchemaStore } from '../store/action-schemas.ts';
import type { Connection } from './connect.ts';
import type { Found, Segment } from './lint-paths.ts';

/** Where the chart puts worker Leases when the Dags' namespace has none. */
const RELEASE_NAMESPACE = 'fastflow-system';

/** What the cluster advertises, and where it was read (named in the report). */
export interface Advertised {
  schemas: ActionSchemaSet;
  /** e.g. `3 live workers in fastflow-system`. */
  from: string;
}

/**
 * The merged schemas of the live workers: their Leases in `leaseNamespace`,
 * else in the Dags' namespace, else in fastflow-system (the chart's). A
 * Lease is live while held and renewed within its duration (on this
 * machine's clock: a CLI has no better).
 */
export async function advertisedSchemas(
  conn: Connection,
  leaseNamespace: string | undefined,
  now: Date,
): Promise<Advertised> {
  const candidates = leaseNamespace ? [leaseNamespace] : [conn.namespace, RELEASE_NAMESPACE];
  for (const namespace of [...new Set(candidates)]) {
    const leases = await workerLeases(conn, namespace);
    const live = leases.filter((l) => isLive(l, now));
    if (live.length === 0 && candidates.length > 1) continue;
    const store = new ActionSchemaStore(conn.clients.core);
    const names = new Set(
      live.flatMap((l) => l.metadata?.annotations?.[ACTION_SCHEMAS_ANNOTATION] ?? []),
    );
    const sets = await Promise.all([...names].sort().map((n) => store.read(namespace, n)));
    const found = sets.filter((s): s is ActionSchemaSet => s !== undefined);
    const n = live.length;
    return {
      schemas: mergeAdvertised(found),
      from: `${n} live worker${n === 1 ? '' : 's'} in ${namespace}`,
    };
  }
  return { schemas: {}, from: `no live worker in ${candidates.join(' or ')}` };
}

async function workerLeases(conn: Connection, namespace: string): Promise<V1Lease[]> {
  const list = await kubeCall(() =>
    conn.clients.coordination.listNamespacedLease({ namespace, labelSelector: WORKER_LEASE_LABEL }),
  );
  return list.items;
}

function isLive(lease: V1Lease, now: Date): boolean {
  const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  if (!lease.spec?.holderIdentity || renewed === undefined) return false;
  const durationMs = (lease.spec.leaseDurationSeconds ?? 10) * 1000;
  return new Date(renewed).getTime() + durationMs >= now.getTime();
}

/** The params problems of one linted document (paths from its root) and the actions not checked. */
export function clusterFindings(
  value: unknown,
  advertised: Advertised,
): { found: Found[]; notes: string[] } {
  const manifest = typeof value === 'object' && value !== null && 'spec' in value;
  const spec = DagSpec.safeParse(manifest ? value.spec : value);
  // A Dag the schema refuses has its problems reported already.
  if (!spec.success) return { found: [], notes: [] };
  const check = checkParams(spec.data, advertised.schemas);
  const found = check.problems.map((p) => {
    const path: Segment[] = parsePath(p.path);
    return { path: manifest ? path : path.slice(1), message: p.message.replace(`${p.path}: `, '') };
  });
  const actions = check.unknownActions.map((a) => `"${a}"`).join(', ');
  const notes = actions ? [`not checked: ${actions} (no schema from ${advertised.from})`] : [];
  return { found, notes };
}
