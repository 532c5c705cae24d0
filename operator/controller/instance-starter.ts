import type { KubeClients } from '../kube/client.ts';
import { Dag, describeZodError, type DagInstance } from '../api/objects.ts';
import { resolveVars } from '../core/vars.ts';
import { validateDag } from '../core/validate-dag.ts';
import { isNotFound, kubeCall } from '../kube/errors.ts';
import { keyOf } from '../kube/types.ts';
import { dagResource } from '../api/names.ts';
import type { LoadedSnapshot, RevisionStore } from '../store/revisions.ts';
import type { RunSlots } from './run-slots.ts';

export type StartResult =
  | { ok: true; loaded: LoadedSnapshot }
  | { ok: false; reason: string; message: string; waiting?: true };

/**
 * Everything that must hold before an instance may start, each failure with
 * the reason the user reads in the instance status: the Dag exists, is valid
 * and not stopped, the vars fit its declaration, and a run slot is free when
 * the Dag limits its running instances (else it waits in line, saying so).
 * On success the Dag spec is snapshotted so later edits never touch this run.
 */
export class InstanceStarter {
  readonly #clients: KubeClients;
  readonly #revisions: RevisionStore;
  readonly #cachedDag: (key: string) => unknown;
  readonly #slots: RunSlots;

  constructor(
    clients: KubeClients,
    revisions: RevisionStore,
    cachedDag: (key: string) => unknown,
    slots: RunSlots,
  ) {
    this.#clients = clients;
    this.#revisions = revisions;
    this.#cachedDag = cachedDag;
    this.#slots = slots;
  }

  /**
   * `unlimited`: start even if the Dag's maxRunningInstances are all taken
   * (a cancel is pending: it ends the instance in the pass that starts it).
   */
  async start(instance: DagInstance, unlimited = false): Promise<StartResult> {
    const namespace = instance.metadata.namespace ?? '';
    const dagName = instance.spec.dagRef.name;
    const raw =
      this.#cachedDag(keyOf({ namespace, name: dagName })) ??
      (await this.#readDag(namespace, dagName));
    if (raw === undefined) {
      return {
        ok: false,
        reason: 'DagNotFound',
        message: `Dag "${dagName}" not found in namespace "${namespace}"`,
      };
    }
    const dag = Dag.safeParse(raw);
    if (!dag.success) {
      const detail = describeZodError(dag.error);
      return { ok: false, reason: 'InvalidDag', message: `Dag "${dagName}" is invalid: ${detail}` };
    }
    const spec = dag.data.spec;
    if (spec.status === 'stopped') {
      return {
        ok: false,
        reason: 'DagStopped',
        message: `Dag "${dagName}" is stopped (spec.status: stopped): it accepts no new instances`,
      };
    }
    const dagOf = (name: string) => {
      const other = Dag.safeParse(this.#cachedDag(keyOf({ namespace, name })));
      return other.success ? other.data.spec : undefined;
    };
    const validation = validateDag(spec, { name: dagName, dagOf });
    if (!validation.valid) {
      const detail = validation.message;
      return { ok: false, reason: 'InvalidDag', message: `Dag "${dagName}" is invalid: ${detail}` };
    }
    const vars = resolveVars(spec.vars, instance.spec.vars);
    if (!vars.ok) return { ok: false, reason: 'InvalidVars', message: vars.message };
    const limit = spec.maxRunningInstances;
    if (
      limit !== undefined &&
      !unlimited &&
      !this.#slots.admit(keyOf(instance.metadata), limit).ok
    ) {
      return {
        ok: false,
        waiting: true,
        reason: 'WaitingForRunSlot',
        message: `waiting to start: Dag "${dagName}" runs at most ${limit} instance${limit === 1 ? '' : 's'} at once (spec.maxRunningInstances); instances start in order of spec.priority, then creation, as running ones finish`,
      };
    }
    const loaded = await this.#revisions.ensure(
      { namespace, name: dagName },
      dag.data.metadata.generation ?? 0,
      spec,
    );
    return { ok: true, loaded };
  }

  /** The informer may not have seen a Dag created just before its instance: ask the API server. */
  async #readDag(namespace: string, name: string): Promise<unknown> {
    try {
      return await kubeCall(() =>
        this.#clients.custom.getNamespacedCustomObject({ ...dagResource, namespace, name }),
      );
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
