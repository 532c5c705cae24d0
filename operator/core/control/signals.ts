import type { TaskStatus } from '../../api/dag-instance.ts';
import { SIGNAL_ANNOTATION, SIGNAL_BY_ANNOTATION } from '../../api/names.ts';
import { SIGNAL_VERBS, type ApprovalOutput, type SignalVerb } from '../../api/waits.ts';
import { phaseOf, transition } from '../task-transitions.ts';

/** A signal as the fastflow.io/signal annotation asks for it (`<token>:<verb>:<task>[:<text>]`). */
export interface SignalRequest {
  verb: SignalVerb;
  task: string;
  /** approve / reject: the message; signal: the JSON payload (empty: none). */
  text: string;
  /** fastflow.io/signal-by: the requesting user, as admission checked it. */
  by: string;
}

/** The signal a value asks for, or why it cannot be acted on (never a throw: the value is user input). */
export function parseSignal(
  value: string,
  by: string | undefined,
): { signal: SignalRequest } | { refused: string } {
  const [, verb = '', task = '', ...rest] = value.split(':');
  if (!(SIGNAL_VERBS as readonly string[]).includes(verb)) {
    return {
      refused:
        `${SIGNAL_ANNOTATION} must be <token>:<verb>:<task>[:<text>] with verb ` +
        `${SIGNAL_VERBS.join(', ')}; got "${verb}"`,
    };
  }
  if (task === '') return { refused: `${SIGNAL_ANNOTATION} names no task` };
  if (!by) {
    return {
      refused:
        `${SIGNAL_ANNOTATION} needs ${SIGNAL_BY_ANNOTATION}, the user sending it, ` +
        'in the same request (kubectl auth whoami)',
    };
  }
  return { signal: { verb: verb as SignalVerb, task, text: rest.join(':'), by } };
}

/** The task types each verb applies to. */
const TYPE_OF_VERB: Readonly<Record<SignalVerb, string>> = {
  approve: 'approval',
  reject: 'approval',
  signal: 'wait',
};

/**
 * What a signal does to the task it names: a waiting approval task is
 * approved (Succeeded) or rejected (Failed), a waiting wait task ends with
 * the payload as its output. Refused, with the reason, when the task is not
 * of that type or is not waiting: the value is acted on once, now or never.
 */
export function signalEffect(
  signal: SignalRequest,
  type: string | undefined,
  current: TaskStatus | undefined,
  now: Date,
): { entry: TaskStatus; message: string } | { refused: string } {
  const { verb, task, by } = signal;
  const wanted = TYPE_OF_VERB[verb];
  if (type !== wanted) {
    const fit =
      verb === 'signal' ? 'signal only ends wait tasks' : `${verb} applies to approval tasks`;
    return { refused: `${verb}: ${task} has type ${type ?? 'action'}; ${fit}` };
  }
  const phase = phaseOf(current);
  if (phase !== 'Running') {
    return {
      refused: `${verb}: ${task} is ${phase}, not waiting; a signal applies only while it waits`,
    };
  }
  const at = now.toISOString();
  const said = signal.text === '' ? '' : `: ${signal.text}`;
  if (verb === 'signal') {
    const payload = parsePayload(signal.text);
    if (!payload.ok) return { refused: `signal: ${task}: ${payload.refused}` };
    const entry = transition(current, 'SignalReceived', {
      ...current,
      reason: 'Signaled',
      message: `signaled by ${by} at ${at}`,
      finishedAt: at,
      ...(payload.output === undefined ? {} : { output: payload.output }),
    });
    return { entry, message: `signal: ${task} by ${by}` };
  }
  const output: ApprovalOutput = {
    approved: verb === 'approve',
    by,
    at,
    ...(signal.text === '' ? {} : { message: signal.text }),
  };
  const approved = verb === 'approve';
  const entry = transition(current, approved ? 'SignalReceived' : 'ApprovalRejected', {
    ...current,
    reason: approved ? 'Approved' : 'Rejected',
    message: `${approved ? 'approved' : 'rejected'} by ${by} at ${at}${said}`,
    finishedAt: at,
    output,
  });
  return { entry, message: `${verb}: ${task} by ${by}${said}` };
}

/** A signal's payload: JSON (any value), or none. */
function parsePayload(
  text: string,
): { ok: true; output?: unknown } | { ok: false; refused: string } {
  if (text === '') return { ok: true };
  try {
    return { ok: true, output: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, refused: `the payload is not JSON (${text.slice(0, 80)})` };
  }
}
