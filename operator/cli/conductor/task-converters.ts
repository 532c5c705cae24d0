/**
 * One Conductor task that is not an operator (operators are in
 * sequence.ts) → the type-specific part of a Dag task. What has no
 * equivalent becomes an action task named like the Conductor task (so the
 * graph keeps its shape and you can write that action), and is a problem.
 */
import { isRecord } from '../migrate-findings.ts';
import { dagName } from '../migrate-convert.ts';
import type { Conversion, Path } from './context.ts';
import { inlineScript } from './inline-script.ts';
import { placeholder, type TypePart } from './placeholder.ts';
import { goDuration, rfc3339 } from './wait-times.ts';

type Task = Record<string, unknown>;

/** Why each Conductor type with no equivalent does not convert. */
const NO_EQUIVALENT: Record<string, string> = {
  KAFKA_PUBLISH:
    'no Kafka built-in: write an action that publishes (a worker has your npm packages)',
  EVENT: 'no event sinks: write an action that publishes the event',
  DYNAMIC:
    'the task to run is chosen at run time (dynamicTaskNameParam): use a switch over the candidate tasks',
  START_WORKFLOW:
    'fire-and-forget workflows have no equivalent: use a subDag (it waits), or create the instance from an action',
  EXCLUSIVE_JOIN: 'a switch joins by itself: the task after it depends on every branch',
  JDBC: 'no JDBC built-in: write an action',
  LAMBDA: "a script run in Conductor's server: write it as an action",
};

export function typePart(
  task: Task,
  type: string,
  at: Path,
  conv: Conversion,
  ref: string,
): TypePart {
  const inputs = isRecord(task['inputParameters']) ? task['inputParameters'] : {};
  const inputsAt = [...at, 'inputParameters'];
  switch (type) {
    case 'SIMPLE':
      return simple(task, inputs, at, conv, ref);
    case 'HTTP':
      return http(inputs, inputsAt, conv, ref);
    case 'JSON_JQ_TRANSFORM':
      return {
        actionName: 'transform',
        params: conv.params(inputs, inputsAt, ref) as Record<string, unknown>,
      };
    case 'TERMINATE':
      return terminate(inputs, inputsAt, conv, ref);
    case 'SET_VARIABLE':
      return { type: 'setVars', setVars: stringValues(inputs, inputsAt, conv, ref, 'variables') };
    case 'WAIT':
      return wait(inputs, inputsAt, conv, ref);
    case 'HUMAN': {
      const message = typeof task['description'] === 'string' ? task['description'] : undefined;
      return { type: 'approval', approval: message ? { message: message.slice(0, 1024) } : {} };
    }
    case 'SUB_WORKFLOW':
      return subWorkflow(task, inputs, at, conv, ref);
    case 'INLINE':
      return inlineScript(task, inputs, inputsAt, conv, ref);
    default: {
      const why = NO_EQUIVALENT[type] ?? `Conductor's ${type} has no equivalent`;
      conv.problem(
        [...at, 'type'],
        `task "${ref}" (${type}) does not convert: ${why}; it was written as an action task of its name`,
        ref,
      );
      return placeholder(task, inputs, inputsAt, conv, ref, type);
    }
  }
}

function simple(
  task: Task,
  inputs: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
): TypePart {
  const name = task['name'];
  if (typeof name !== 'string' || name === '') {
    conv.problem([...at, 'name'], `task "${ref}": a SIMPLE task needs a name (its action)`, ref);
  }
  const params = conv.params(inputs, [...at, 'inputParameters'], ref) as Record<string, unknown>;
  return {
    actionName: typeof name === 'string' && name !== '' ? name : ref,
    ...(Object.keys(params).length > 0 ? { params } : {}),
  };
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

function http(inputs: Record<string, unknown>, at: Path, conv: Conversion, ref: string): TypePart {
  const nested = isRecord(inputs['http_request']);
  const req = nested ? (inputs['http_request'] as Record<string, unknown>) : inputs;
  const reqAt = nested ? [...at, 'http_request'] : at;
  const params: Record<string, unknown> = {};
  if (typeof req['uri'] !== 'string')
    conv.problem([...reqAt, 'uri'], `HTTP task "${ref}": no uri`, ref);
  else params['url'] = conv.template(req['uri'], [...reqAt, 'uri'], ref);
  if (typeof req['method'] === 'string') params['method'] = req['method'].toUpperCase();
  const headers: Record<string, unknown> = {};
  if (typeof req['accept'] === 'string') headers['Accept'] = req['accept'];
  if (typeof req['contentType'] === 'string' && req['body'] !== undefined)
    headers['Content-Type'] = req['contentType'];
  if (isRecord(req['headers'])) {
    for (const [name, value] of Object.entries(req['headers'])) {
      if (CREDENTIAL_HEADERS.has(name.toLowerCase())) {
        conv.problem(
          [...reqAt, 'headers', name],
          `HTTP task "${ref}": the ${name} header is a credential, which the http action takes only from a Secret: create one and add auth: {scheme, secretRef} (or secretHeaders) to the task's params (docs/builtin-actions.md); the header was left out`,
          ref,
        );
        continue;
      }
      headers[name] = conv.params(value, [...reqAt, 'headers', name], ref);
    }
  }
  if (Object.keys(headers).length > 0) params['headers'] = headers;
  if (req['body'] !== undefined) params['body'] = conv.params(req['body'], [...reqAt, 'body'], ref);
  const ms = ['connectionTimeOut', 'readTimeOut'].flatMap((k) => {
    const v = req[k];
    return typeof v === 'number' ? [v] : [];
  });
  if (ms.length > 0) {
    params['timeoutSeconds'] = Math.max(1, Math.ceil(ms.reduce((a, b) => a + b, 0) / 1000));
  }
  if (req['asyncComplete'] === true) {
    conv.problem(
      [...reqAt, 'asyncComplete'],
      `HTTP task "${ref}": asyncComplete has no equivalent: follow it with a wait task ended by a signal`,
      ref,
    );
  }
  return { actionName: 'http', params };
}

function terminate(
  inputs: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
): TypePart {
  const status = inputs['terminationStatus'];
  if (status !== 'COMPLETED' && status !== 'FAILED' && status !== 'TERMINATED') {
    conv.problem(
      [...at, 'terminationStatus'],
      `terminate "${ref}": terminationStatus must be COMPLETED, FAILED or TERMINATED`,
      ref,
    );
  }
  if (status === 'TERMINATED') {
    conv.note(
      [...at, 'terminationStatus'],
      'TERMINATED ends the instance Failed (a Dag instance has no Terminated phase)',
    );
  }
  const reason = inputs['terminationReason'];
  const output = inputs['workflowOutput'];
  return {
    type: 'terminate',
    terminate: {
      phase: status === 'COMPLETED' ? 'Succeeded' : 'Failed',
      ...(typeof reason === 'string'
        ? { reason: conv.template(reason, [...at, 'terminationReason'], ref) }
        : {}),
      ...(output !== undefined
        ? { output: conv.params(output, [...at, 'workflowOutput'], ref) }
        : {}),
    },
  };
}

/** Values as strings (vars are strings): a list or map as its JSON text, references converted. */
export function stringValues(
  inputs: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
  declare?: 'variables',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (declare) conv.useVar(name, declare);
    const v = conv.params(value, [...at, name], ref);
    out[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function wait(inputs: Record<string, unknown>, at: Path, conv: Conversion, ref: string): TypePart {
  const fixed = (key: string): string | undefined => {
    const v = inputs[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && !v.includes('${')) return v;
    conv.problem(
      [...at, key],
      `wait "${ref}": a ${key} computed at run time has no equivalent (a wait's ${key} is fixed in the Dag)`,
      ref,
    );
    return undefined;
  };
  const [duration, until] = [fixed('duration'), fixed('until')];
  if (duration !== undefined) {
    const d = goDuration(duration);
    if ('duration' in d) return { type: 'wait', wait: { duration: d.duration } };
    conv.problem([...at, 'duration'], `wait "${ref}": ${d.error}`, ref);
  } else if (until !== undefined) {
    const u = rfc3339(until);
    if ('until' in u) {
      if (u.zoneless)
        conv.note(
          [...at, 'until'],
          `"${until}" has no zone: read as UTC (Conductor read it in its server's zone)`,
        );
      return { type: 'wait', wait: { until: u.until } };
    }
    conv.problem([...at, 'until'], `wait "${ref}": ${u.error}`, ref);
  }
  return { type: 'wait', wait: {} };
}

function subWorkflow(
  task: Task,
  inputs: Record<string, unknown>,
  at: Path,
  conv: Conversion,
  ref: string,
): TypePart {
  const param = isRecord(task['subWorkflowParam']) ? task['subWorkflowParam'] : {};
  const paramAt = [...at, 'subWorkflowParam'];
  if (param['workflowDefinition'] !== undefined) {
    conv.problem(
      [...paramAt, 'workflowDefinition'],
      `subDag "${ref}": an inline workflowDefinition has no equivalent: convert it as its own workflow and name it`,
      ref,
    );
  }
  const name = typeof param['name'] === 'string' ? param['name'] : '';
  const child = name.includes('${') ? undefined : dagName(name);
  if (child === undefined) {
    conv.problem(
      [...paramAt, 'name'],
      `subDag "${ref}": the child workflow's name must be fixed (the Dag it runs)`,
      ref,
    );
  }
  if (param['version'] !== undefined) {
    conv.note(
      [...paramAt, 'version'],
      'a Dag has one version: the child runs the Dag as it is when the task starts',
    );
  }
  const vars = stringValues(inputs, [...at, 'inputParameters'], conv, ref);
  return {
    type: 'subDag',
    subDag: { dagName: child ?? ref, ...(Object.keys(vars).length > 0 ? { vars } : {}) },
  };
}
