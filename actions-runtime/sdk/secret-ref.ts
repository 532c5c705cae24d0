import type { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { isNotFound, KubeApiError, kubeCall } from '../../operator/kube/errors.ts';
import { NonRetryableError } from './errors.ts';

/** A key of a Secret in the instance's namespace: how built-in actions take credentials. */
export const SecretRef = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'must be the name of a Secret'),
    key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/, 'must be a key of the Secret'),
  })
  .strict();
export type SecretRef = z.infer<typeof SecretRef>;

/**
 * The value of one key of a Secret in `namespace`, read when the attempt
 * runs (never stored in params, outputs or traces). Surrounding whitespace is
 * dropped: a Secret made from a file usually ends with a newline. A missing
 * Secret or key, or a worker not allowed to read it, fails the task without a
 * retry, naming the Secret and the key but never the value.
 */
export async function readSecretRef(
  core: CoreV1Api,
  namespace: string,
  ref: SecretRef,
): Promise<string> {
  const where = `Secret ${namespace}/${ref.name}`;
  let data: Record<string, string> | undefined;
  try {
    data = (await kubeCall(() => core.readNamespacedSecret({ namespace, name: ref.name }))).data;
  } catch (e) {
    if (isNotFound(e)) throw new NonRetryableError(`${where} not found`);
    if (e instanceof KubeApiError && e.code === 403) {
      throw new NonRetryableError(
        `the worker may not read ${where} (the chart grants it with rbac.workerSecrets): ${e.message}`,
      );
    }
    throw e instanceof Error ? e : new Error(`reading ${where}: ${String(e)}`);
  }
  const encoded = data?.[ref.key];
  if (encoded === undefined) throw new NonRetryableError(`${where} has no key "${ref.key}"`);
  return Buffer.from(encoded, 'base64').toString('utf8').trim();
}
