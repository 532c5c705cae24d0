import type { DagInstanceSpec } from '../operator/api/dag-instance.ts';
import { renderVars } from '../operator/core/templates.ts';
import { resolveVars } from '../operator/core/vars.ts';
import type { Logger } from '../operator/log.ts';
import type { RevisionStore } from '../operator/store/revisions.ts';
import type { LocalAttempt } from './local-attempts.ts';
import type { ActionRegistry } from './registry.ts';
import type { ReportWriter } from './report-writer.ts';
import { runAttempt, type AttemptOutcome } from './run-attempt.ts';

export interface ExecuteDeps {
  registry: ActionRegistry;
  revisions: RevisionStore;
  writer: ReportWriter;
  worker: string;
  log: Logger;
}

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
  spec: DagInstanceSpec,
  deps: ExecuteDeps,
): Promise<void> {
  if (a.abort.signal.aborted) {
    a.state = 'done';
    return;
  }
  a.state = 'running';
  const ref = { namespace: a.namespace, name: a.instance };
  const log = deps.log.child({
    instance: `${a.namespace}/${a.instance}`,
    task: a.task,
    attempt: a.attempt,
  });
  const base = { task: a.task, worker: deps.worker, attempt: a.attempt };
  const startedAt = new Date().toISOString();
  void deps.writer
    .report(ref, { ...base, set: { phase: 'Running', startedAt } }, RUNNING_REPORT_DEFER_MS)
    .then((applied) => {
      if (!applied) a.abort.abort(new Error('attempt no longer assigned to this worker'));
    });

  let outcome: AttemptOutcome;
  try {
    outcome = await run(a, spec, deps, log);
  } catch (e) {
    // Reading the snapshot failed (API error): fail the attempt visibly rather than hang.
    outcome = { phase: 'Failed', reason: 'ActionFailed', message: `cannot start: ${String(e)}` };
  }
  a.state = 'done';
  log.info(
    { phase: outcome.phase, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
    'attempt finished',
  );
  void deps.writer.report(ref, {
    ...base,
    set: {
      phase: outcome.phase,
      finishedAt: new Date().toISOString(),
      ...(outcome.phase === 'Failed' ? { reason: outcome.reason, message: outcome.message } : {}),
    },
  });
}

async function run(
  a: LocalAttempt,
  spec: DagInstanceSpec,
  deps: ExecuteDeps,
  log: Logger,
): Promise<AttemptOutcome> {
  const { snapshot, graph } = await deps.revisions.load(a.namespace, a.dagRevision);
  const task = graph.tasks.get(a.task);
  const action = task && deps.registry.get(task.actionName);
  if (!task || !action) {
    const message = task
      ? `action "${task.actionName}" is not registered on worker ${deps.worker}`
      : `task "${a.task}" is not in the Dag snapshot`;
    return { phase: 'Failed', reason: 'ActionFailed', message };
  }
  const vars = resolveVars(snapshot.spec.vars, spec.vars);
  if (!vars.ok) return { phase: 'Failed', reason: 'InvalidParams', message: vars.message };
  return runAttempt(
    action,
    renderVars(task.params ?? {}, vars.vars),
    {
      vars: vars.vars,
      instance: { namespace: a.namespace, name: a.instance },
      task: { id: a.task, attempt: a.attempt },
      trace: (message) => log.info({ trace: message }, 'trace'),
      log,
    },
    { timeoutSecs: task.timeoutSecs, signal: a.abort.signal },
  );
}
