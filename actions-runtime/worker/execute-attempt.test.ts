import { INLINE_VALUE_BYTES, MAX_OUTPUT_BYTES } from '../../operator/api/attempt-data.ts';
import type { AttemptDataStore } from '../../operator/store/attempt-data.ts';
import type { CoordinationV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TaskSpec } from '../../operator/api/dag.ts';
import type { AttemptReport } from '../../operator/core/task-report.ts';
import { buildGraph } from '../../operator/core/graph.ts';
import { silentLogger } from '../../operator/log.ts';
import type { RevisionStore } from '../../operator/store/revisions.ts';
import type { ShareDataStore } from '../../operator/store/share-data.ts';
import type { TaskShardStore } from '../../operator/store/task-shards.ts';
import type { TraceStore } from '../../operator/store/traces.ts';
import { defineAction } from '../sdk/action.ts';
import { ActionRegistry } from '../sdk/registry.ts';
import { executeAttempt, type ExecuteDeps } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';
import type { ReportWriter } from './report-writer.ts';
import { Slots } from './slots.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const TASKS: TaskSpec[] = [
  { id: 'stubborn', actionName: 'stubborn', timeoutSecs: 1 },
  { id: 'quick', actionName: 'quick' },
  {
    id: 'reads',
    actionName: 'reads',
    dependOn: ['quick'],
    params: { n: '{{tasks.quick.output.n}}' },
  },
];

/** Deps whose API calls are in memory; reports are recorded, never refused. */
function deps(registry: ActionRegistry, reports: AttemptReport[]): ExecuteDeps {
  const built = buildGraph(TASKS);
  if (!built.ok) throw new Error('bad test graph');
  const loaded = {
    revision: 'rev',
    snapshot: { dag: 'd', generation: 1, spec: { tasks: TASKS } },
    graph: built.graph,
  };
  return {
    registry,
    revisions: { load: () => Promise.resolve(loaded) } as unknown as RevisionStore,
    // Shard 0 holds quick's entry, moved out of status by the operator.
    shards: {
      entries: (_owner: unknown, status: { shards?: number }, tasks: string[]) =>
        Promise.resolve(
          status.shards && tasks.includes('quick')
            ? { quick: { phase: 'Succeeded', output: { n: 7 } } }
            : {},
        ),
    } as unknown as TaskShardStore,
    writer: {
      report: (_ref: unknown, r: AttemptReport) => {
        reports.push(r);
        return Promise.resolve(true);
      },
    } as unknown as ReportWriter,
    worker: 'w1',
    log: silentLogger(),
    shareData: { read: () => Promise.resolve({}) } as unknown as ShareDataStore,
    traces: { write: () => Promise.resolve() } as unknown as TraceStore,
    data: {} as AttemptDataStore,
    bounds: { inlineBytes: INLINE_VALUE_BYTES, maxBytes: MAX_OUTPUT_BYTES },
    coordination: {} as CoordinationV1Api,
    leaseNamespace: 'ns',
  };
}

function attempt(task: string): LocalAttempt {
  return {
    namespace: 'ns',
    instance: 'inst',
    task,
    attempt: 1,
    dagRevision: 'rev',
    abort: new AbortController(),
    state: 'queued',
  };
}

const VIEW = { uid: 'u', spec: { dagRef: { name: 'd' } }, status: { dagRevision: 'rev' } };

describe('executeAttempt under a concurrency limit', () => {
  it('reports a timeout at once but keeps the slot until an action that ignores its signal returns', async () => {
    let release: () => void = () => {};
    let quickRuns = 0;
    const registry = new ActionRegistry().register(
      defineAction({
        name: 'stubborn',
        run: () => new Promise<void>((r) => (release = r)), // never looks at its signal
      }),
      defineAction({ name: 'quick', run: () => void quickRuns++ }),
    );
    const reports: AttemptReport[] = [];
    const d = deps(registry, reports);
    const slots = new Slots(1);
    const first = slots.run(() => executeAttempt(attempt('stubborn'), VIEW, d));
    const second = slots.run(() => executeAttempt(attempt('quick'), VIEW, d));

    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toContainEqual(
      expect.objectContaining({ task: 'stubborn', event: 'AttemptFailed' }),
    );
    expect(reports.find((r) => r.event === 'AttemptFailed')?.set).toMatchObject({
      reason: 'TimedOut',
    });
    // The stubborn action still runs: the one slot is still its.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(quickRuns).toBe(0);
    expect(slots.busy).toBe(1);

    release();
    await first;
    await second;
    expect(quickRuns).toBe(1);
    expect(reports).toContainEqual(
      expect.objectContaining({ task: 'quick', event: 'AttemptSucceeded' }),
    );
  });
});

describe('executeAttempt rendering templates', () => {
  it("reads a parent's output from its shard once its entry has left status", async () => {
    let got: unknown;
    const registry = new ActionRegistry().register(
      defineAction({ name: 'reads', run: (_ctx: unknown, params: unknown) => void (got = params) }),
    );
    const reports: AttemptReport[] = [];
    const view = { ...VIEW, status: { ...VIEW.status, shards: 1 } };
    await executeAttempt(attempt('reads'), view, deps(registry, reports));
    expect(got).toEqual({ n: 7 });
    expect(reports.at(-1)).toMatchObject({ task: 'reads', event: 'AttemptSucceeded' });
  });
});
