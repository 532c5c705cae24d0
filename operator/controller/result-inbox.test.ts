import { ApiException, type CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { TaskResult } from '../api/objects.ts';
import type { AttemptResult } from '../api/task-result.ts';
import { silentLogger } from '../log.ts';
import { ResultInbox } from './result-inbox.ts';

function result(worker: string, results: Record<string, AttemptResult>, rv = '1'): TaskResult {
  return {
    apiVersion: 'fastflow.io/v1alpha1',
    kind: 'TaskResult',
    metadata: { name: `run-r${worker}`, namespace: 'ns', resourceVersion: rv },
    spec: { instance: 'run', worker, results },
  };
}

/** Deletes as the API server does: 409 when the resourceVersion precondition no longer holds. */
function fakeApi(current: Map<string, string>): { api: CustomObjectsApi; deleted: string[] } {
  const deleted: string[] = [];
  const api = {
    deleteNamespacedCustomObject: (p: {
      name: string;
      body: { preconditions: { resourceVersion?: string } };
    }): Promise<void> => {
      if (current.get(p.name) !== p.body.preconditions.resourceVersion) {
        const status = { kind: 'Status', code: 409, reason: 'Conflict', message: 'changed' };
        return Promise.reject(new ApiException(409, 'Conflict', JSON.stringify(status), {}));
      }
      deleted.push(p.name);
      return Promise.resolve();
    },
  };
  return { api: api as unknown as CustomObjectsApi, deleted };
}

describe('ResultInbox', () => {
  const running = { phase: 'Running' as const };
  const held = (worker: string) => ({ phase: 'Running' as const, worker, attempt: 1 });

  it('folds the results of its instance only, fenced by attempt', () => {
    const inbox = new ResultInbox(fakeApi(new Map()).api, silentLogger());
    const key = inbox.observe({
      type: 'add',
      key: 'ns/run-rw1',
      obj: result('w1', { 'a@1': running }),
    });
    expect(key).toBe('ns/run');
    const status = { tasks: { a: { phase: 'Scheduled' as const, worker: 'w1', attempt: 1 } } };
    expect(inbox.fold('ns/run', status).tasks?.['a']?.phase).toBe('Running');
    expect(inbox.fold('ns/other', status)).toBe(status);
  });

  it('deletes the results of workers that hold no task, each only if unchanged since', async () => {
    const { api, deleted } = fakeApi(
      new Map([
        ['run-rw1', '1'],
        ['run-rw2', '1'],
        ['run-rw3', '2'],
      ]),
    );
    const inbox = new ResultInbox(api, silentLogger());
    for (const w of ['w1', 'w2', 'w3'])
      inbox.observe({ type: 'add', key: `ns/run-r${w}`, obj: result(w, { 'a@1': running }) });
    // w1 still holds a task; w3's object was written again after the fold (rv 2): kept for now.
    await inbox.cleanup('ns/run', { phase: 'Running', tasks: { b: held('w1') } });
    expect(deleted).toEqual(['run-rw2']);
  });

  it('keeps a result that a status decided from a lagging cache, and not written, calls stale', async () => {
    // The bench's stalled loop: w3's result for step#893 arrives before the instance's event that
    // assigned it; the pass folds it against the older cache (stale), writes nothing, and must not
    // delete it, or step#893 stays Scheduled on w3 for good.
    const { api, deleted } = fakeApi(
      new Map([
        ['run-rw3', '1'],
        ['run-rw5', '1'],
      ]),
    );
    const inbox = new ResultInbox(api, silentLogger());
    const done = { phase: 'Succeeded' as const, finishedAt: '2026-12-07T20:00:00Z' };
    inbox.observe({ type: 'add', key: 'ns/run-rw3', obj: result('w3', { 'step#893@1': done }) });
    // w5's attempt 1 of step#892 was given to w4 (attempt 2): stale for good, it goes.
    inbox.observe({ type: 'add', key: 'ns/run-rw5', obj: result('w5', { 'step#892@1': done }) });
    const cached = {
      phase: 'Running' as const,
      tasks: { 'step#892': { ...held('w4'), attempt: 2 } },
    };
    expect(inbox.fold('ns/run', cached)).toEqual(cached);
    await inbox.cleanup('ns/run', cached, { written: false });
    expect(deleted).toEqual(['run-rw5']);
    const assigned = { phase: 'Scheduled' as const, worker: 'w3', attempt: 1 };
    const current = { phase: 'Running' as const, tasks: { 'step#893': assigned } };
    expect(inbox.fold('ns/run', current).tasks?.['step#893']?.phase).toBe('Succeeded');
  });

  it('deletes every result once the instance has finished or is gone', async () => {
    const { api, deleted } = fakeApi(new Map([['run-rw1', '1']]));
    const inbox = new ResultInbox(api, silentLogger());
    inbox.observe({ type: 'add', key: 'ns/run-rw1', obj: result('w1', {}) });
    await inbox.cleanup('ns/run', { phase: 'Canceled', tasks: { b: held('w1') } });
    // Deleted once: a pass before the informer's delete event does not delete it again (404).
    await inbox.cleanup('ns/run', undefined);
    expect(deleted).toEqual(['run-rw1']);
    inbox.observe({ type: 'delete', key: 'ns/run-rw1', obj: result('w1', {}) });
    await inbox.cleanup('ns/run', undefined);
    expect(deleted).toHaveLength(1);
    // A late write creates it anew: the informer adds it back, and it goes again.
    inbox.observe({ type: 'add', key: 'ns/run-rw1', obj: result('w1', {}) });
    await inbox.cleanup('ns/run', undefined);
    expect(deleted).toEqual(['run-rw1', 'run-rw1']);
  });
});
