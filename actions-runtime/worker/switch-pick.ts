import type { TaskStatus } from '../../operator/api/dag-instance.ts';
import { parseAttemptKey } from '../../operator/api/task-result.ts';
import { readsShareData } from '../../operator/core/control/dispatch.ts';
import { pickCase } from '../../operator/core/control/switch.ts';
import { givenVars, resolveVars, withSetVars } from '../../operator/core/vars.ts';
import type { RevisionStore } from '../../operator/store/revisions.ts';
import type { ShareDataStore } from '../../operator/store/share-data.ts';
import type { InstanceView } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';

/**
 * The case the switch after a finished parent picks, as the worker sees it
 * (undefined: it cannot tell, and the branch waits for the operator).
 */
export type PickCase = (
  a: LocalAttempt,
  view: InstanceView,
  parentOutput: unknown,
) => Promise<string | undefined>;

/**
 * The worker's half of a switch looked past (docs/architecture.md "A
 * switch's branches"): the very `pickCase` the operator decides the switch
 * with, over the same inputs — the vars resolved as the operator resolves
 * them, share data read now when the expression reads it, the parent's
 * output as the operator will fold it (its JSON), and the other tasks as the
 * status shows them. The operator's own decision still rules: a different
 * pick here only costs a voided attempt.
 */
export function switchPicker(deps: {
  revisions: RevisionStore;
  shareData: ShareDataStore;
}): PickCase {
  return async (a, view, parentOutput) => {
    const parent = a.after === undefined ? undefined : parseAttemptKey(a.after);
    const sw = a.afterCase?.switch;
    if (parent === undefined || sw === undefined) return undefined;
    const { snapshot, graph } = await deps.revisions.load(a.namespace, a.dagRevision);
    const spec = graph.tasks.get(sw);
    if (spec?.switch === undefined) return undefined;
    const resolved = resolveVars(snapshot.spec.vars, givenVars(view.spec, view.status));
    if (!resolved.ok) return undefined;
    const shareData = readsShareData(spec)
      ? await deps.shareData.read({ namespace: a.namespace, name: a.instance })
      : {};
    const done: TaskStatus = {
      ...view.status.tasks?.[parent.task],
      phase: 'Succeeded',
      attempt: parent.attempt,
      ...(parentOutput === undefined ? {} : { output: asFolded(parentOutput) }),
    };
    const tasks = { ...view.status.tasks, [parent.task]: done };
    const vars = withSetVars(resolved.vars, view.status);
    const pick = pickCase(spec.switch, { vars, shareData, tasks });
    return pick.ok ? pick.output.selectedCase : undefined;
  };
}

/** An output as the operator reads it back from the worker's report: its JSON. */
function asFolded(output: unknown): unknown {
  return JSON.parse(JSON.stringify(output)) as unknown;
}
