/**
 * One bad input of R6 and the helpers that build them (see bad-inputs.ts).
 */
import type { OperationName } from '../../operator/api/names.ts';

/**
 * refused: the API server refuses the create; invalid: the Dag is accepted
 * and its status says why it cannot run; failed: the instance (or a task) ends
 * Failed; op-refused: the operation is recorded Refused and the instance
 * still finishes; waiting: the instance waits and its condition says why
 * (no worker has the action); succeeded: at a limit, accepted and run to the end.
 */
export type Expect = 'refused' | 'invalid' | 'failed' | 'op-refused' | 'waiting' | 'succeeded';

export type BadInput = {
  id: string;
  group: 'Dag' | 'DagInstance' | 'operation' | 'params and outputs';
  /** What is sent, for the docs. */
  input: string;
  expect: Expect;
  /** Text the message must contain to name the field (empty for `succeeded`). */
  field: string;
  /** The Dag to create (its name is the case's unless given). */
  dag?: { name?: string; spec: unknown };
  /** The instance to create, of the case's Dag unless `spec.dagRef` says otherwise. */
  instance?: { name?: string; spec?: Record<string, unknown> };
  /** An operation annotation set once the instance is running (or has finished). */
  operation?: { name: OperationName; value: string; when: 'running' | 'finished' };
};

export const print = (id: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  actionName: 'print',
  ...more,
});
export const oneTask = (more: Record<string, unknown> = {}): { tasks: unknown[] } => ({
  tasks: [print('a', more)],
});
/** A spec with `more` beside the one task of `oneTask()`. */
export const withTask = (more: Record<string, unknown>): Record<string, unknown> => ({
  ...more,
  ...oneTask(),
});
/** Two tasks that depend on each other. */
export const CYCLE = { tasks: [print('a', { dependOn: ['b'] }), print('b', { dependOn: ['a'] })] };
export const x = (n: number, c = 'a'): string => c.repeat(n);
/** n vars v0…v(n-1), each with `value`. */
export const manyVars = (n: number, value: unknown): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, value]));
/** A DNS-1123 name of exactly n characters. */
export const dnsName = (n: number): string => `n${x(n - 2, 'a')}z`;
