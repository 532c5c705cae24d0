import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeApiError } from '../kube/errors.ts';
import { readInstance } from './instance-read.ts';

/** A CustomObjectsApi whose GET answers `answer` (an object, or an HTTP code to fail with). */
function custom(answer: object | number): { api: CustomObjectsApi; asked: unknown[] } {
  const asked: unknown[] = [];
  const getNamespacedCustomObject = (args: unknown) => {
    asked.push(args);
    if (typeof answer !== 'number') return Promise.resolve(answer);
    const body = JSON.stringify({ code: answer, reason: 'Nope', message: `HTTP ${answer}` });
    return Promise.reject(new ApiException(answer, 'fake', body, {}));
  };
  return { api: { getNamespacedCustomObject } as unknown as CustomObjectsApi, asked };
}

describe('readInstance', () => {
  it('reads the DagInstance from the API server', async () => {
    const found = { metadata: { name: 'run-1' } };
    const { api, asked } = custom(found);
    await expect(readInstance(api, { namespace: 'ns', name: 'run-1' })).resolves.toEqual(found);
    expect(asked).toEqual([
      expect.objectContaining({ plural: 'daginstances', namespace: 'ns', name: 'run-1' }),
    ]);
  });

  it('is undefined when there is none (404)', async () => {
    await expect(readInstance(custom(404).api, { namespace: 'ns', name: 'x' })).resolves.toBe(
      undefined,
    );
  });

  it('throws any other failure as a KubeApiError', async () => {
    const failure = readInstance(custom(403).api, { namespace: 'ns', name: 'x' });
    await expect(failure).rejects.toBeInstanceOf(KubeApiError);
    await expect(failure).rejects.toMatchObject({ code: 403, message: 'HTTP 403' });
  });
});
