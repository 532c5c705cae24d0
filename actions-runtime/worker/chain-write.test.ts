import type { CoordinationV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { INLINE_VALUE_BYTES, MAX_OUTPUT_BYTES } from '../../operator/api/attempt-data.ts';
import type { AttemptDataStore } from '../../operator/store/attempt-data.ts';
import type { TaskShardStore } from '../../operator/store/task-shards.ts';
import type { TaskSpec } from '../../operator/api/dag.ts';
import { buildGraph } from '../../operator/core/graph.ts';
import { silentLogger } from '../../operator/log.ts';
import type { RevisionStore } from '../../operator/store/revisions.ts';
import type { ShareDataStore } from '../../operator/store/share-data.ts';
import type { TraceStore } from '../../operator/store/traces.ts';
import { ME, entries, writerSetup } from '../../test/support/fake-result-api.ts';
import { defineAction } from '../sdk/action.ts';
import { ActionRegistry } from '../sdk/registry.ts';
import { ChainStarts } from './chain-starts.ts';
import { executeAttempt, type ExecuteDeps, type InstanceView } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';

const setup = writerSetup();

const TASKS: TaskSpec[] = [
  { id: 'p', actionName: 'emit' },
  { id: 'c', actionName: 'echo', dependOn: ['p'], params: { got: '{{tasks.p.output.n}}' } },
];

function attempt(task: string, after?: string): LocalAttempt {
  const a = { namespace: 'ns', instance: 'i1', task, attempt: 1, dagRevision: 'rev' };
  return { ...a, ...(after ? { after } : {}), abort: new AbortController(), state: 'queued' };
}

describe('a pre-assigned step on the worker', () => {
  it('starts the moment its parent succeeds, and both results go out in one TaskResult write', async () => {
    const { fake, writer } = setup();
    const built = buildGraph(TASKS);
    if (!built.ok) throw new Error('bad test graph');
    const snapshot = { dag: 'd', generation: 1, spec: { tasks: TASKS } };
    const registry = new ActionRegistry().register(
      defineAction({ name: 'emit', run: () => ({ n: 7 }) }),
      defineAction({ name: 'echo', run: (_ctx, params) => params }),
    );
    const ran: Promise<void>[] = [];
    const deps: ExecuteDeps = {
      registry,
      revisions: {
        load: () => Promise.resolve({ revision: 'rev', snapshot, graph: built.graph }),
      } as unknown as RevisionStore,
      writer,
      worker: ME,
      log: silentLogger(),
      shareData: { read: () => Promise.resolve({}) } as unknown as ShareDataStore,
      traces: { write: () => Promise.resolve() } as unknown as TraceStore,
      coordination: {} as CoordinationV1Api,
      leaseNamespace: 'ns',
      data: {} as AttemptDataStore,
      shards: { entries: () => Promise.resolve({}) } as unknown as TaskShardStore,
      bounds: { inlineBytes: INLINE_VALUE_BYTES, maxBytes: MAX_OUTPUT_BYTES },
    };
    const chain = new ChainStarts((a, v) => ran.push(executeAttempt(a, v, deps)));
    deps.chain = chain;
    const scheduled = { phase: 'Scheduled' as const, worker: ME, attempt: 1 };
    const view: InstanceView = {
      uid: 'u1',
      spec: { dagRef: { name: 'd' } },
      status: { dagRevision: 'rev', tasks: { p: scheduled, c: { ...scheduled, after: 'p@1' } } },
    };
    chain.hold(attempt('c', 'p@1'), view);
    chain.hold(attempt('p'), view);
    await Promise.all(ran); // p's run, which launched c's
    await Promise.all(ran);
    await writer.drain();
    expect(fake.calls.map(entries)).toEqual([['p@1:Succeeded', 'c@1:Succeeded']]);
    // c rendered its params from p's output held in memory: the status had none.
    expect(fake.results({ namespace: 'ns', name: 'i1' })?.['c@1']?.output).toBe('{"got":7}');
  });
});
