import type { CoreV1Api, V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import type { TraceSeen } from '../core/trace-gc.ts';
import { isNotFound, kubeCall } from '../kube/errors.ts';
import type { ObjectRef } from '../kube/types.ts';
import {
  ATTEMPT_OBJECT_LABELS,
  attemptObjectMetadata,
  attemptObjectName,
  attemptObjectSelector,
  type AttemptRef,
} from './attempt-objects.ts';
import { subjectOf } from './labels.ts';

/** Trace lines kept per attempt: the newest; older ones are counted as dropped. */
export const MAX_TRACE_LINES = 200;
/** Longest trace line kept. */
export const MAX_TRACE_LINE = 1024;

export const TRACE_LABELS = ATTEMPT_OBJECT_LABELS;

export interface AttemptTrace {
  task: string;
  attempt: number;
  lines: string[];
  dropped: number;
}

/**
 * The ConfigMap of one attempt's trace. Traces live outside the DagInstance
 * so that a chatty action cannot bloat the object every watcher receives;
 * owned by the instance, they are deleted with it.
 */
export function traceName(a: AttemptRef): string {
  return attemptObjectName('trace', a);
}

export class TraceStore {
  readonly #core: CoreV1Api;

  constructor(core: CoreV1Api) {
    this.#core = core;
  }

  /** Writes the attempt's trace (create, or replace the lines of an earlier flush). */
  async write(
    a: AttemptRef,
    owner: V1OwnerReference,
    trace: Omit<AttemptTrace, 'task' | 'attempt'>,
  ): Promise<void> {
    const name = traceName(a);
    const data = { trace: trace.lines.join('\n'), dropped: String(trace.dropped) };
    const body: V1ConfigMap = {
      metadata: {
        name,
        namespace: a.instance.namespace,
        ownerReferences: [owner],
        ...attemptObjectMetadata('trace', a),
      },
      data,
    };
    try {
      await kubeCall(() =>
        this.#core.replaceNamespacedConfigMap({ namespace: a.instance.namespace, name, body }),
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.#core.createNamespacedConfigMap({ namespace: a.instance.namespace, body });
    }
  }

  /** Every attempt's trace of an instance (or of one task), oldest attempt first. */
  async read(instance: ObjectRef, task?: string): Promise<AttemptTrace[]> {
    return (await this.#list(instance, task))
      .map((cm) => ({
        task: subjectOf(cm.metadata, TRACE_LABELS.task) ?? '',
        attempt: Number(cm.metadata?.labels?.[TRACE_LABELS.attempt] ?? 0),
        lines: (cm.data?.['trace'] ?? '').split('\n').filter((l) => l !== ''),
        dropped: Number(cm.data?.['dropped'] ?? 0),
      }))
      .sort((x, y) => x.task.localeCompare(y.task) || x.attempt - y.attempt);
  }

  /** The trace objects of an instance, without their lines: what collecting them needs. */
  async objects(instance: ObjectRef): Promise<TraceSeen[]> {
    return (await this.#list(instance)).map((cm) => ({
      name: cm.metadata?.name ?? '',
      task: subjectOf(cm.metadata, TRACE_LABELS.task) ?? '',
      attempt: Number(cm.metadata?.labels?.[TRACE_LABELS.attempt] ?? 0),
      createdAt: new Date(cm.metadata?.creationTimestamp ?? 0).getTime(),
    }));
  }

  /** Deletes one trace object; one already gone is no error. */
  async delete(namespace: string, name: string): Promise<void> {
    try {
      await kubeCall(() => this.#core.deleteNamespacedConfigMap({ namespace, name }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #list(instance: ObjectRef, task?: string): Promise<V1ConfigMap[]> {
    const list = await this.#core.listNamespacedConfigMap({
      namespace: instance.namespace,
      labelSelector: attemptObjectSelector('trace', instance.name, task),
    });
    return list.items
      .filter((cm) => subjectOf(cm.metadata, TRACE_LABELS.instance) === instance.name)
      .filter((cm) => task === undefined || subjectOf(cm.metadata, TRACE_LABELS.task) === task);
  }
}

/** Lines of one attempt, bounded: keeps the newest, counts the dropped. */
export class TraceBuffer {
  lines: string[] = [];
  dropped = 0;
  #dirty = false;

  add(message: string, now = new Date()): void {
    this.lines.push(`${now.toISOString()} ${message.slice(0, MAX_TRACE_LINE)}`);
    if (this.lines.length > MAX_TRACE_LINES) {
      this.dropped += this.lines.length - MAX_TRACE_LINES;
      this.lines = this.lines.slice(-MAX_TRACE_LINES);
    }
    this.#dirty = true;
  }

  /** Whether lines were added since the last call. */
  takeDirty(): boolean {
    const dirty = this.#dirty;
    this.#dirty = false;
    return dirty;
  }
}
