import { DAG_INSTANCE, SIGNAL_ANNOTATION, SIGNAL_BY_ANNOTATION } from '../names.ts';
import { admissionPolicy } from './precheck-policy.ts';

/**
 * A ValidatingAdmissionPolicy that makes fastflow.io/signal-by true: the
 * user a signal (an approval, a rejection) is recorded under is the user
 * the API server authenticated for the request that set it. The operator
 * never sees who made a request, only the object; admission does
 * (`request.userInfo`), and this policy refuses a request that sets or
 * changes the signal with anyone else's name, or changes the name alone
 * (which would re-attribute a signal someone else sent). So the pair is
 * always written in one request, by the user it names. A ValidatingAdmission-
 * Policy (GA since Kubernetes 1.30) needs no webhook server; a mutating
 * policy could write the name itself, but is not enabled everywhere yet.
 */
const POLICY_NAME = 'daginstances.fastflow.io-signal-by';

/** The value of annotation `key` of `obj` (an empty string when absent; `obj` may be null). */
function annotation(obj: string, key: string): string {
  const a = `${obj}.metadata.annotations`;
  const guard = obj === 'oldObject' ? `${obj} != null && ` : '';
  return `${guard}has(${a}) && '${key}' in ${a} ? ${a}['${key}'] : ''`;
}

export function signalPolicy(): object[] {
  return admissionPolicy(POLICY_NAME, DAG_INSTANCE.plural, {
    variables: [
      { name: 'signal', expression: annotation('object', SIGNAL_ANNOTATION) },
      { name: 'oldSignal', expression: annotation('oldObject', SIGNAL_ANNOTATION) },
      { name: 'by', expression: annotation('object', SIGNAL_BY_ANNOTATION) },
      { name: 'oldBy', expression: annotation('oldObject', SIGNAL_BY_ANNOTATION) },
    ],
    validations: [
      {
        expression:
          'variables.signal == variables.oldSignal || variables.signal == "" || ' +
          'variables.by == request.userInfo.username',
        messageExpression:
          `'${SIGNAL_BY_ANNOTATION} must name the user sending ${SIGNAL_ANNOTATION} ("' + ` +
          `request.userInfo.username + '"), set in the same request ` +
          `(kubectl fastflow approve|reject|signal does it)'`,
        reason: 'Forbidden',
      },
      {
        expression: 'variables.by == variables.oldBy || variables.signal != variables.oldSignal',
        message:
          `${SIGNAL_BY_ANNOTATION} changes only together with ${SIGNAL_ANNOTATION}: ` +
          'it names who sent that signal',
        reason: 'Forbidden',
      },
    ],
  });
}
