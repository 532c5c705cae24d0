/**
 * The FastflowClient's instances: naming one, reading one, and starting one
 * of a Dag after checking that it can run.
 */
import { DagInstanceSpec } from '../../operator/api/dag-instance.ts';
import { API_VERSION, DAG_INSTANCE } from '../../operator/api/names.ts';
import { Dag, DagInstance, describeZodError } from '../../operator/api/objects.ts';
import { validateDag } from '../../operator/core/validate-dag.ts';
import { resolveVars } from '../../operator/core/vars.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import { isAlreadyExists, isInvalid, isNotFound, kubeCall } from '../../operator/kube/errors.ts';
import { refOf, type KubeObject } from '../../operator/kube/types.ts';
import { dagResource, instanceResource } from '../../operator/api/names.ts';
import { checkName, errorMessage, FastflowClientError, notFound } from './errors.ts';
import { startIdentity } from './idempotent-start.ts';

/** An instance: its name (in the client's namespace), `namespace/name`, or both fields. */
export type InstanceRef = string | { namespace?: string; name: string };

/** An instance named in full. */
export type InstanceKey = { namespace: string; name: string };

export type RunDagOptions = {
  namespace?: string;
  /** The instance's name; default: generated, `<dag>-<random>`. */
  name?: string;
  /** The instance fails (DeadlineExceeded) if unfinished this long after it started. */
  activeDeadlineSeconds?: number;
  labels?: Record<string, string>;
  /**
   * Start at most once per key: the instance is named from the Dag and the
   * key, and a start with a key used before returns that instance (as it is:
   * these vars are not compared) instead of creating another.
   */
  idempotencyKey?: string;
};

/** The instance a start made, or found when its idempotency key was used before. */
export type Started = { name: string; created: boolean };

/** `instance` named in full, `defaultNamespace` when it names none; checked. */
export function resolveInstanceRef(instance: InstanceRef, defaultNamespace: string): InstanceKey {
  const { namespace, name } =
    typeof instance === 'string'
      ? refOf(instance, defaultNamespace)
      : { namespace: instance.namespace || defaultNamespace, name: instance.name };
  checkName('instance name', name);
  checkName('namespace', namespace);
  return { namespace, name };
}

function parseInstance(raw: unknown): DagInstance {
  const parsed = DagInstance.safeParse(raw);
  if (parsed.success) return parsed.data;
  const name = (raw as KubeObject | undefined)?.metadata?.name ?? '?';
  throw new Error(
    `DagInstance ${name} does not match the schema: ${describeZodError(parsed.error)}`,
  );
}

/** The instance, validated against the DagInstance schema. */
export async function readInstance(clients: KubeClients, ref: InstanceKey): Promise<DagInstance> {
  let raw: unknown;
  try {
    raw = await kubeCall(() =>
      clients.custom.getNamespacedCustomObject({ ...instanceResource, ...ref }),
    );
  } catch (e) {
    if (isNotFound(e)) throw notFound(ref);
    throw e;
  }
  return parseInstance(raw);
}

/**
 * Starts an instance of `dag` (fastflow's `RunDag`) and returns its name.
 * Checks first, and writes nothing when a check fails: the Dag exists, is
 * valid and not stopped, and `vars` are declared by it (an undeclared var
 * is an error, not silently dropped as in fastflow).
 */
export async function createInstance(
  clients: KubeClients,
  namespace: string,
  dag: string,
  vars: Record<string, string>,
  opts: RunDagOptions,
): Promise<Started> {
  checkName('Dag name', dag);
  checkName('namespace', namespace);
  if (opts.name !== undefined) checkName('instance name', opts.name);
  const { name, annotations, before } = startIdentity(clients, namespace, dag, opts);
  const found = await before();
  if (found !== undefined) return { name: found, created: false };
  const spec = {
    dagRef: { name: dag },
    ...(Object.keys(vars).length > 0 ? { vars } : {}),
    ...(opts.activeDeadlineSeconds !== undefined
      ? { activeDeadlineSeconds: opts.activeDeadlineSeconds }
      : {}),
  };
  const parsed = DagInstanceSpec.safeParse(spec);
  if (!parsed.success) {
    throw new FastflowClientError('Invalid', describeZodError(parsed.error, 'spec'));
  }
  await checkDag(clients, namespace, dag, vars);
  const metadata = {
    ...(name ? { name } : { generateName: `${dag.slice(0, 57)}-` }),
    namespace,
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(annotations ? { annotations } : {}),
  };
  try {
    const created = (await kubeCall(() =>
      clients.custom.createNamespacedCustomObject({
        ...instanceResource,
        namespace,
        body: { apiVersion: API_VERSION, kind: DAG_INSTANCE.kind, metadata, spec: parsed.data },
      }),
    )) as KubeObject;
    return { name: created.metadata?.name ?? '', created: true };
  } catch (e) {
    if (isAlreadyExists(e)) {
      // Another start with the key won the race: its instance is the one.
      const raced = await before();
      if (raced !== undefined) return { name: raced, created: false };
      throw new FastflowClientError(
        'Invalid',
        `DagInstance "${opts.name}" already exists in namespace "${namespace}"`,
      );
    }
    if (isInvalid(e)) throw new FastflowClientError('Invalid', errorMessage(e));
    throw e;
  }
}

async function checkDag(
  clients: KubeClients,
  namespace: string,
  name: string,
  vars: Record<string, string>,
): Promise<void> {
  let raw: unknown;
  try {
    raw = await kubeCall(() =>
      clients.custom.getNamespacedCustomObject({ ...dagResource, namespace, name }),
    );
  } catch (e) {
    if (isNotFound(e)) {
      throw new FastflowClientError(
        'NotFound',
        `Dag "${name}" not found in namespace "${namespace}"`,
      );
    }
    throw e;
  }
  const dag = Dag.safeParse(raw);
  if (!dag.success) {
    const detail = describeZodError(dag.error);
    throw new FastflowClientError('Invalid', `Dag "${name}" cannot run: ${detail}`);
  }
  const { spec, status } = dag.data;
  if (spec.status === 'stopped') {
    throw new FastflowClientError(
      'Invalid',
      `Dag "${name}" cannot run: it is stopped (spec.status: stopped) and accepts no new instances`,
    );
  }
  const validation = validateDag(spec);
  if (!validation.valid) {
    const detail = status?.message || validation.message;
    throw new FastflowClientError('Invalid', `Dag "${name}" cannot run: ${detail}`);
  }
  const resolved = resolveVars(spec.vars, vars);
  if (!resolved.ok) {
    throw new FastflowClientError('Invalid', `Dag "${name}": ${resolved.message}`);
  }
}
