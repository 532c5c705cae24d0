import { createHash } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import {
  ACTION_SCHEMAS_KEY,
  ACTION_SCHEMAS_LABEL,
  ACTION_SCHEMAS_PREFIX,
  ActionSchemaSet,
} from '../api/action-schemas.ts';
import { isAlreadyExists, isNotFound, kubeCall } from '../kube/errors.ts';

/**
 * The ConfigMaps of action schemas (api/action-schemas.ts): written by
 * workers at start, read by the operator and `kubectl fastflow lint
 * --cluster`. Named by their content, so they never change: a read is
 * cached for good.
 */
export class ActionSchemaStore {
  readonly #core: CoreV1Api;
  readonly #cache = new Map<string, ActionSchemaSet>();

  constructor(core: CoreV1Api) {
    this.#core = core;
  }

  /** Writes the set (unless a worker with the same actions did) and returns its ConfigMap's name. */
  async publish(namespace: string, set: ActionSchemaSet): Promise<string> {
    const text = JSON.stringify(set);
    const name = nameOf(text);
    const body = {
      metadata: { name, namespace, labels: { [ACTION_SCHEMAS_LABEL]: '' } },
      immutable: true,
      data: { [ACTION_SCHEMAS_KEY]: text },
    };
    try {
      await kubeCall(() => this.#core.createNamespacedConfigMap({ namespace, body }));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.#cache.set(`${namespace}/${name}`, set);
    return name;
  }

  /** The set in ConfigMap `name`; undefined when it is gone or unreadable. */
  async read(namespace: string, name: string): Promise<ActionSchemaSet | undefined> {
    const key = `${namespace}/${name}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    let text: string | undefined;
    try {
      const cm = await kubeCall(() => this.#core.readNamespacedConfigMap({ namespace, name }));
      text = cm.data?.[ACTION_SCHEMAS_KEY];
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    // Named by its content: one whose content does not match was not written by a worker.
    if (text === undefined || nameOf(text) !== name) return undefined;
    const parsed = ActionSchemaSet.safeParse(safeJson(text));
    if (!parsed.success) return undefined;
    this.#cache.set(key, parsed.data);
    return parsed.data;
  }
}

function nameOf(text: string): string {
  return `${ACTION_SCHEMAS_PREFIX}${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
