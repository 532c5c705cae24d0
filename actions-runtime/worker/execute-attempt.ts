import type { DagInstanceSpec, DagInstanceStatus } from '../../operator/api/dag-instance.ts';
import type { TaskSpec } from '../../operator/api/dag.ts';
import type { AttemptReport } from '../../operator/core/task-report.ts';
import { referencedEntries } from '../../operator/core/attempt-values.ts';
import { TASK_TRANSITIONS } from '../../operator/core/task-transitions.ts';
import { hasTemplates, renderParams, templateReferences } from '../../operator/core/templates.ts';
import { givenVars, resolveVars, withSetVars } from '../../operator/core/vars.ts';
import {
  itemOf,
  parseGrownKey,
  specOf,
  type ItemSources,
} from '../../operator/core/grown-graph.ts';
import { UNKNOWN_ACTION, taskResult, type WorkerMetrics } from './metrics.ts';
import type { RevisionStore } from '../../operator/store/revisions.ts';
import type { TaskShardStore } from '../../operator/store/task-shards.ts';
import type { Action } from '../sdk/action.ts';
import { attemptContext, type ContextDeps } from './attempt-context.ts';
import { AttemptHeartbeat } from './attempt-heartbeat.ts';
import { finalReport, upstreamOutputs, type ValuesDeps } from './attempt-values.ts';
import type { LocalAttempt } from './local-attempts.ts';
import type { ActionRegistry } from '../sdk/registry.ts';
import type { ReportWriter } from './report-writer.ts';
import { runAttempt, type AttemptOutcome } from './run-attempt.ts';

export interface ExecuteDeps extends ContextDeps, ValuesDeps {
  registry: ActionRegistry;
  revisions: RevisionStore;
  /** The entries of parents the operator moved into shards. */
  shards: TaskShardStore;
  writer: ReportWriter;
  metrics?: WorkerMetrics;
  /** Successors pre-assigned behind an attempt (chain-starts.ts). */
  chain?: ChainHooks;
}

/** What an attempt tells the successors pre-assigned behind it. */
export interface ChainHooks {
  hasSuccessor(a: LocalAttempt): boolean;
  finished(a: LocalAttempt, outcome: { ok: true; output?: unknown } | { ok: false }): void;
}

/** The instance as the worker saw it when the attempt was assigned. */
export interface InstanceView {
  uid: string;
  spec: DagInstanceSpec;
  status: DagInstanceStatus;
}

/**
 * Seconds from scheduled to started, for the metric. A pre-assigned attempt
 * was scheduled while its parent ran (it carries no scheduledAt then): that
 * wait is not a delay, it starts in-process the moment its parent succeeds.
 */
function scheduledToStarted(
  a: LocalAttempt,
  scheduledAt: string | undefined,
  startedAt: string,
): number | undefined {
  if (a.after !== undefined) return 0;
  const scheduledMs = Date.parse(scheduledAt ?? '');
  return Number.isNaN(scheduledMs) ? undefined : (Date.parse(startedAt) - scheduledMs) / 1000;
}

/** Called once the attempt's action is known, just before it runs: metrics. */
type Begin = (action: string) => void;

/** How long a Running report waits to be merged with the result of a short task. */
const RUNNING_REPORT_DEFER_MS = 25;

/**
 * One attempt from the worker's side: mark it Running, run the action, queue
 * the outcome's report. The Running report is not awaited before the action
 * starts (latency); if it is refused, the attempt was taken from us and is
 * aborted. Resolves when the action is done, without waiting for the result
 * to be written: the concurrency slot is for running actions, and the writer
 * keeps retrying the report on its own.
 */
export async function executeAttempt(
  a: LocalAttempt,
  view: InstanceView,
  deps: ExecuteDeps,
): Promise<void> {
  if (a.abort.signal.aborted) {
    a.state = 'done';
    return;
  }
  a.state = 'running';
  const ref = { namespace: a.namespace, name: a.instance, uid: view.uid };
  const base = { task: a.task, worker: deps.worker, attempt: a.attempt };
  const startedAt = new Date().toISOString();
  const waited = scheduledToStarted(a, view.status.tasks?.[a.task]?.scheduledAt, startedAt);
  if (waited !== undefined) deps.metrics?.scheduledToStarted(waited);
  void deps.writer
    .report(ref, { ...base, event: 'AttemptStarted', set: { startedAt } }, RUNNING_REPORT_DEFER_MS)
    .then((applied) => {
      if (!applied) a.abort.abort(new Error('attempt no longer assigned to this worker'));
    });

  const began: { action?: string; at: number } = { at: performance.now() };
  const begin: Begin = (action) => {
    began.action = action;
    began.at = performance.now();
    deps.metrics?.started(action);
  };
  let result: Ran;
  try {
    result = await prepareAndRun(a, view, deps, begin);
  } catch (e) {
    // Reading the snapshot or share data failed (API error): fail visibly rather than hang.
    result = {
      outcome: {
        event: 'AttemptFailed',
        reason: 'ActionFailed',
        message: `cannot start: ${String(e)}`,
      },
    };
  }
  const { outcome, set } = await finalReport(a, view.uid, result.outcome, result.params, deps);
  if (began.action === undefined) begin(UNKNOWN_ACTION);
  const seconds = (performance.now() - began.at) / 1000;
  deps.metrics?.finished(began.action ?? UNKNOWN_ACTION, taskResult(outcome), seconds);
  a.state = 'done';
  reportOutcome(a, ref, { outcome, set }, deps);
  if (result.lingering) {
    // Reported at once, but its slot stays taken: the concurrency limit counts running code.
    // An action that honours its signal ends a few microtasks after the abort: only one
    // still running after them ignores it.
    if (!(await endsPromptly(result.ended ?? result.lingering))) {
      deps.log.warn(
        { instance: `${a.namespace}/${a.instance}`, task: a.task, attempt: a.attempt },
        'the action ignores its abort signal: its slot stays taken until it returns',
      );
    }
    await result.lingering;
  }
}

/**
 * Logs and queues the attempt's final report, and tells its pre-assigned
 * successor: one starting right now reports its start in the same write as
 * this result, which waits a moment for it.
 */
function reportOutcome(
  a: LocalAttempt,
  ref: { namespace: string; name: string; uid: string },
  final: { outcome: AttemptOutcome; set: AttemptReport['set'] },
  deps: ExecuteDeps,
): void {
  const { outcome, set } = final;
  const reason = 'reason' in outcome ? { reason: outcome.reason } : {};
  const succeeded = outcome.event === 'AttemptSucceeded';
  // A success is the common case (hundreds a second on a busy worker): formatting its line cost
  // 6–8 % of a worker's CPU in the wide bench, so only what went wrong is logged at info.
  deps.log[succeeded ? 'debug' : 'info'](
    {
      instance: `${a.namespace}/${a.instance}`,
      task: a.task,
      attempt: a.attempt,
      phase: TASK_TRANSITIONS[outcome.event].to,
      ...reason,
    },
    'attempt finished',
  );
  const defer = succeeded && deps.chain?.hasSuccessor(a) ? RUNNING_REPORT_DEFER_MS : 0;
  const report = { task: a.task, worker: deps.worker, attempt: a.attempt, event: outcome.event };
  void deps.writer.report(ref, { ...report, set }, defer);
  deps.chain?.finished(a, succeeded ? { ok: true, output: outcome.output } : { ok: false });
}

function endsPromptly(ended: Promise<void>): Promise<boolean> {
  return Promise.race([
    ended.then(() => true),
    new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
  ]);
}

/** What running an attempt gave; `lingering` when its action still runs past its outcome. */
type Ran = {
  outcome: AttemptOutcome;
  params?: unknown;
  /** The action's own end; `lingering` also closes its trace. */
  ended?: Promise<void>;
  lingering?: Promise<void>;
};

/**
 * Finds the task and its action in the snapshot, renders its params (vars,
 * share data, upstream outputs), and runs it in its attempt context. Rendered
 * params are returned to be recorded with the attempt when templates changed
 * them.
 */
async function prepareAndRun(
  a: LocalAttempt,
  view: InstanceView,
  deps: ExecuteDeps,
  begin: Begin,
): Promise<Ran> {
  const { snapshot, graph } = await deps.revisions.load(a.namespace, a.dagRevision);
  // A grown key (a fan-out copy `x[3]`, a loop iteration's `step#2`) runs its Dag task's spec.
  const task = specOf(graph, a.task);
  const action = task && deps.registry.get(task.actionName ?? '');
  // Only registered names label metrics: a Dag cannot add label values.
  begin(action ? action.name : UNKNOWN_ACTION);
  if (!task || !action) {
    const message = task
      ? `action "${task.actionName}" is not registered on worker ${deps.worker}`
      : `task "${a.task}" is not in the Dag snapshot`;
    return { outcome: { event: 'AttemptFailed', reason: 'ActionFailed', message } };
  }
  const resolved = resolveVars(snapshot.spec.vars, givenVars(view.spec, view.status));
  if (!resolved.ok) {
    const message = resolved.message;
    return { outcome: { event: 'AttemptFailed', reason: 'InvalidParams', message } };
  }
  const vars = withSetVars(resolved.vars, view.status);
  const rendered = await render(a, task, view, vars, deps);
  if (!rendered.ok) {
    return {
      outcome: { event: 'AttemptFailed', reason: 'InvalidParams', message: rendered.message },
    };
  }
  const params = hasTemplates(task.params) ? rendered.value : undefined;
  return { ...(await runIn(a, view, vars, action, task, rendered.value, deps)), params };
}

async function render(
  a: LocalAttempt,
  task: TaskSpec,
  view: InstanceView,
  vars: Record<string, string>,
  deps: ExecuteDeps,
): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
  const refs = templateReferences(task.params ?? {});
  const needsShareData = refs.some((r) => r.ref.kind === 'shareData');
  const shareData = needsShareData
    ? await deps.shareData.read({ namespace: a.namespace, name: a.instance })
    : {};
  // A parent whose entry the operator moved into a shard: its entry is read there.
  const parents = refs.flatMap((r) => (r.ref.kind === 'output' ? [r.ref.task] : []));
  const owner = { namespace: a.namespace, name: a.instance, uid: view.uid };
  const sharded = await deps.shards.entries(owner, view.status, parents);
  const tasks = referencedEntries(parents, view.status.tasks, sharded);
  const outputs = await upstreamOutputs(a, view.uid, tasks, refs, deps.data);
  const item = await copyItem(a, view, deps);
  return renderParams(task.params ?? {}, { vars, shareData, outputs, ...(item ? { item } : {}) });
}

/** A fan-out copy's item, from its fan-out task's recorded items (inline or in its attempt data). */
async function copyItem(
  a: LocalAttempt,
  view: InstanceView,
  deps: ExecuteDeps,
): Promise<ItemSources | undefined> {
  const grown = parseGrownKey(a.task);
  if (grown === undefined || !('copy' in grown)) return undefined;
  const fanOut = view.status.tasks?.[grown.base];
  const params = fanOut?.paramsRef
    ? (await deps.data.read(a.namespace, fanOut.paramsRef, view.uid)).params
    : fanOut?.params;
  return itemOf(a.task, params);
}

async function runIn(
  a: LocalAttempt,
  view: InstanceView,
  vars: Record<string, string>,
  action: Action<unknown>,
  task: TaskSpec,
  params: unknown,
  deps: ExecuteDeps,
): Promise<Ran> {
  const ref = { namespace: a.namespace, name: a.instance, uid: view.uid };
  const beats = new AttemptHeartbeat(task.heartbeatTimeoutSecs, (heartbeats) => {
    const beat = { task: a.task, worker: deps.worker, attempt: a.attempt };
    void deps.writer.report(ref, { ...beat, event: 'AttemptBeat', set: { heartbeats } }, 0);
  });
  const context = attemptContext(a, view.uid, vars, deps, () => beats.beat());
  const still: { running?: Promise<void> } = {};
  const outcome = await runAttempt(action, params, context.ctx, {
    timeoutSecs: task.timeoutSecs,
    maxOutputBytes: deps.bounds.maxBytes,
    signal: a.abort.signal,
    onLingering: (ended) => {
      still.running = ended;
    },
  })
    .catch(async (e: unknown) => {
      await context.close();
      throw e;
    })
    .finally(() => beats.close());
  if (!still.running) {
    await context.close();
    return { outcome };
  }
  // Its trace stays open while the action runs.
  return {
    outcome,
    ended: still.running,
    lingering: still.running.then(() => context.close()),
  };
}
