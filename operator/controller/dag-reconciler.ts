import { z } from 'zod';
import { DagStatus, type DagSpec } from '../api/dag.ts';
import { ObjectMeta } from '../api/common.ts';
import { Dag, describeZodError } from '../api/objects.ts';
import { setCondition } from '../core/conditions.ts';
import { validateDag, type DagValidation } from '../core/validate-dag.ts';
import type { KubeClients } from '../kube/client.ts';
import type { ReconcileResult } from '../kube/controller.ts';
import { keyOf } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { writeDagStatus } from '../store/status-writes.ts';

/** What is needed to report on a Dag even when its spec does not parse. */
const DagEnvelope = z.object({ metadata: ObjectMeta, status: DagStatus.optional() });

/**
 * Reports in Dag.status what admission could not check (dependencies that
 * name no task, cycles) so `kubectl get dag` shows VALID and the reason.
 */
export class DagReconciler {
  readonly #clients: KubeClients;
  readonly #cached: (key: string) => unknown;
  readonly #log: Logger;

  constructor(clients: KubeClients, cached: (key: string) => unknown, log: Logger) {
    this.#clients = clients;
    this.#cached = cached;
    this.#log = log;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const raw = this.#cached(key);
    const envelope = DagEnvelope.safeParse(raw);
    if (!envelope.success) return {};
    const { metadata, status: current } = envelope.data;
    const generation = metadata.generation ?? 0;
    const parsed = Dag.safeParse(raw);
    const outcome: DagValidation | { valid: false; reason: string; message: string } =
      parsed.success
        ? validateDag(parsed.data.spec, {
            name: metadata.name,
            dagOf: (n) => this.#specOf(metadata, n),
          })
        : { valid: false, reason: 'InvalidSpec', message: describeZodError(parsed.error) };
    const message = outcome.valid ? 'the Dag is valid' : outcome.message;
    const next: DagStatus = {
      observedGeneration: generation,
      valid: outcome.valid,
      taskCount: parsed.success ? parsed.data.spec.tasks.length : 0,
      message,
      conditions: setCondition(
        current?.conditions,
        {
          type: 'Valid',
          status: outcome.valid ? 'True' : 'False',
          reason: outcome.valid ? 'Valid' : outcome.reason,
          message,
          observedGeneration: generation,
        },
        new Date(),
      ),
    };
    // Once per change of verdict, not once per pass (the Event says it to kubectl users).
    if (!outcome.valid && current?.message !== message) {
      this.#log.info({ dag: key, reason: outcome.reason }, message);
    }
    await writeDagStatus(
      this.#clients.custom,
      { namespace: metadata.namespace ?? '', name: metadata.name },
      current,
      next,
    );
    return {};
  }

  /** Another Dag of the namespace as the cache has it (for a Dag that runs itself as a sub-DAG). */
  #specOf(of: { namespace?: string | undefined }, name: string): DagSpec | undefined {
    const parsed = Dag.safeParse(this.#cached(keyOf({ namespace: of.namespace ?? '', name })));
    return parsed.success ? parsed.data.spec : undefined;
  }
}
