import type { DagSpec, TaskSpec } from '../../api/dag.ts';
import { formatPath } from '../../api/field-path.ts';
import { MAX_SET_VARS_BYTES } from '../../api/task-types.ts';
import { outputsOf, renderParams } from '../templates.ts';
import { failed, succeeded, type ControlProblem, type ControlType } from './decision.ts';

/**
 * `type: setVars` (Conductor's SET_VARIABLE): gives declared vars new values
 * (templates rendered, so a value may come from an upstream output). They
 * are recorded in `status.vars` (spec.vars is immutable) and read by the
 * templates and preChecks of the tasks after it. Only declared vars may be
 * set, so every template that reads a var is still checked when the Dag is
 * applied; all values set on an instance take at most MAX_SET_VARS_BYTES.
 */
export const setVarsType: ControlType = {
  decide(ctx) {
    const sources = {
      vars: ctx.vars,
      shareData: ctx.shareData,
      outputs: outputsOf(ctx.tasks, ctx.storedOutputs),
    };
    const rendered = renderParams(ctx.spec.setVars ?? {}, sources, 'setVars');
    if (!rendered.ok) return { entry: failed(ctx, rendered.message) };
    const values: Record<string, string> = {};
    for (const [name, v] of Object.entries(rendered.value as Record<string, unknown>)) {
      // A value that is exactly one reference keeps its JSON type: vars are strings.
      values[name] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    const all = { ...ctx.control.vars, ...values };
    const bytes = Object.entries(all).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (bytes > MAX_SET_VARS_BYTES) {
      return {
        entry: failed(
          ctx,
          `setVars: the vars set on this instance would take ${bytes} bytes; at most ${MAX_SET_VARS_BYTES}`,
        ),
      };
    }
    return {
      entry: succeeded(ctx, values, `set ${Object.keys(values).join(', ')}`),
      control: { vars: all },
      vars: values,
    };
  },
  validate(task: TaskSpec, i: number, spec: DagSpec): ControlProblem[] {
    const at = (...path: PropertyKey[]): string => formatPath(['spec', 'tasks', i, ...path]);
    if (task.setVars === undefined) {
      return [
        {
          reason: 'MissingSetVars',
          path: at('setVars'),
          message: `task "${task.id}" of type setVars needs setVars: {var: value, ...}`,
        },
      ];
    }
    const declared = spec.vars ?? {};
    return Object.keys(task.setVars)
      .filter((name) => !Object.hasOwn(declared, name))
      .map((name) => ({
        reason: 'UnknownVar',
        path: at('setVars', name),
        message: `setVars sets "${name}", which the Dag does not declare in spec.vars (declared: ${Object.keys(declared).join(', ') || 'none'})`,
      }));
  },
};
