import { allKeys } from '../grown-graph.ts';
import type { ControlStatus } from '../../api/control-status.ts';
import type { TaskSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import { MAX_TERMINATE_OUTPUT_BYTES } from '../../api/task-types.ts';
import { failUnfinished } from '../fail-unfinished.ts';
import { outputsOf, renderParams } from '../templates.ts';
import { failed, succeeded, type ControlProblem, type ControlType } from './decision.ts';
import { parentsDone } from './optional.ts';

/**
 * `type: terminate` (Conductor's TERMINATE, the "return" inside a switch
 * branch): ends the instance at once in the phase it names, with its reason
 * and output. Every other unfinished task that holds or could get a worker
 * is canceled, so nothing starts after it; `status.terminated` makes the
 * instance phase its phase from then on.
 */
export const terminateType: ControlType = {
  decide(ctx) {
    const spec = ctx.spec.terminate;
    if (spec === undefined) return { entry: failed(ctx, 'terminate: missing') };
    const sources = {
      vars: ctx.vars,
      shareData: ctx.shareData,
      outputs: outputsOf(ctx.tasks, ctx.storedOutputs),
    };
    const rendered = renderParams(spec.output, sources, 'terminate.output');
    if (!rendered.ok) return { entry: failed(ctx, rendered.message) };
    const bytes = JSON.stringify(rendered.value ?? null).length;
    if (bytes > MAX_TERMINATE_OUTPUT_BYTES) {
      return {
        entry: failed(
          ctx,
          `terminate.output is ${bytes} bytes of JSON; at most ${MAX_TERMINATE_OUTPUT_BYTES}`,
        ),
      };
    }
    // Copies and iterations under way end with their tasks.
    const others = allKeys(ctx.graph, ctx.tasks).filter((id) => id !== ctx.id);
    const stop = {
      event: 'Terminated',
      reason: 'Terminated',
      message: `the instance was ended by terminate task "${ctx.id}"`,
    } as const;
    const control: ControlStatus = {
      terminated: {
        task: ctx.id,
        phase: spec.phase,
        ...(spec.reason ? { reason: spec.reason } : {}),
        at: ctx.now.toISOString(),
      },
      ...(rendered.value !== undefined ? { output: rendered.value } : {}),
    };
    const ended = failUnfinished(ctx.tasks, others, stop, ctx.now, (id, tasks) =>
      parentsDone(ctx.graph, tasks, id),
    );
    const message = `ended the instance: ${spec.phase}${spec.reason ? `: ${spec.reason}` : ''}`;
    return {
      entry: succeeded(ctx, rendered.value, message),
      others: Object.fromEntries(
        others.filter((id) => ended[id] !== ctx.tasks[id]).map((id) => [id, ended[id]!]),
      ),
      control,
    };
  },
  validate(task: TaskSpec, i: number): ControlProblem[] {
    if (task.terminate !== undefined) return [];
    return [
      {
        reason: 'MissingTerminate',
        path: formatPath(['spec', 'tasks', i, 'terminate']),
        message: `task "${task.id}" of type terminate needs terminate: {phase: Succeeded | Failed}`,
      },
    ];
  },
};

/** The instance message and Succeeded condition once a terminate task ended it. */
export function terminatedSummary(t: NonNullable<ControlStatus['terminated']>): {
  message: string;
  condition: { status: 'True' | 'False'; reason: string };
} {
  return {
    message: `terminated by task ${t.task}: ${t.phase}${t.reason ? `: ${t.reason}` : ''}`,
    condition: { status: t.phase === 'Succeeded' ? 'True' : 'False', reason: 'Terminated' },
  };
}
