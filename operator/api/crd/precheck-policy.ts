import { stringify } from 'yaml';
import { PreCheckCondition, PreCheckRule } from '../dag.ts';
import { DAG, GROUP } from '../names.ts';
import { ACTION_NAME_REQUIRED } from '../task-types.ts';

/**
 * A ValidatingAdmissionPolicy for what the Dag CRD's own rules cannot see:
 * `preCheck` is free-form in the schema (it may be a map or a list), and CEL
 * validation rules of a CRD cannot read untyped fields. An admission policy
 * evaluates its expression on the object dynamically, so it can: a check
 * with an unknown act, source or op is refused by `kubectl apply` (fastflow
 * panicked on an unknown source and silently never ran a task with an
 * unknown act, §13.5). The allowed values come from the zod schema.
 * Its CEL is priced at run time on the object sent, which etcd bounds: the
 * densest preChecks a storable Dag holds stay within the API server's budget
 * (test/integration/crds.test.ts), so it never refuses a valid Dag for cost.
 */
const POLICY_NAME = 'dags.fastflow.io-precheck';

function list(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

function checkOk(c: string): string {
  const acts = list(PreCheckRule.shape.act.options);
  const sources = list(PreCheckCondition.shape.source.options);
  const ops = list(PreCheckCondition.shape.op.options);
  return (
    `(has(${c}.act) && ${c}.act in ${acts} && has(${c}.conditions) && ` +
    `${c}.conditions.all(k, has(k.source) && k.source in ${sources} && has(k.op) && k.op in ${ops}))`
  );
}

/** Whether task `t`'s preCheck (absent, a list of checks, or a map of them) is well formed. */
function taskOk(t: string): string {
  return (
    `(!has(${t}.preCheck) || (type(${t}.preCheck) == list ` +
    `? ${t}.preCheck.all(c, ${checkOk('c')}) ` +
    `: ${t}.preCheck.all(n, ${checkOk(`${t}.preCheck[n]`)})))`
  );
}

/** Whether task `t` names its action, or is a system task that needs none. */
function actionOk(t: string): string {
  return `((has(${t}.type) && ${t}.type != 'action') || has(${t}.actionName))`;
}

/**
 * A ValidatingAdmissionPolicy on creates and updates of `plural` (fastflow's
 * group), denying what `checks` (its variables and validations) refuse, and
 * its binding.
 */
export function admissionPolicy(name: string, plural: string, checks: object): object[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [GROUP],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE'],
              resources: [plural],
            },
          ],
        },
        ...checks,
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}

export function preCheckPolicy(): object[] {
  const tasks = 'object.spec.tasks';
  return admissionPolicy(POLICY_NAME, DAG.plural, {
    validations: [
      {
        expression: `!has(object.spec.tasks) || ${tasks}.all(t, ${taskOk('t')})`,
        messageExpression:
          `'spec.tasks[' + string(${tasks}.map(t, ${taskOk('t')}).indexOf(false)) + '].preCheck (task ' + ` +
          `${tasks}.filter(t, !${taskOk('t')})[0].id + '): every check needs act ` +
          `${PreCheckRule.shape.act.options.join(' or ')}, and conditions with source ` +
          `${PreCheckCondition.shape.source.options.join(' or ')} and op ` +
          `${PreCheckCondition.shape.op.options.join(', ')}'`,
        reason: 'Invalid',
      },
      // actionName is required of action tasks only (`type` absent or action): a rule the
      // CRD cannot hold (no CEL under tasks, see crds.ts), priced here on the object sent.
      {
        expression: `!has(object.spec.tasks) || ${tasks}.all(t, ${actionOk('t')})`,
        messageExpression:
          `'spec.tasks[' + string(${tasks}.map(t, ${actionOk('t')}).indexOf(false)) + '].actionName (task ' + ` +
          `${tasks}.filter(t, !${actionOk('t')})[0].id + '): ${ACTION_NAME_REQUIRED}'`,
        reason: 'Invalid',
      },
    ],
  });
}

/** Policy documents as one generated YAML file. */
export function renderPolicy(header: string, docs: object[] = preCheckPolicy()): string {
  return header + docs.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n');
}
