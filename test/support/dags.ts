/**
 * Dags the operation tests share: one that fails once, one that runs long,
 * one that blocks until continued.
 */

/** `shaky` fails its first attempt (the `flaky` test action); `after` depends on it. */
export const SHAKY = {
  tasks: [
    { id: 'shaky', actionName: 'flaky', params: { failAttempts: 1 } },
    { id: 'after', actionName: 'print', dependOn: ['shaky'] },
  ],
};

/** `nap` sleeps `seconds`; `after` depends on it. */
export function napping(seconds: number): Record<string, unknown> {
  return {
    tasks: [
      { id: 'nap', actionName: 'sleep', params: { seconds } },
      { id: 'after', actionName: 'print', dependOn: ['nap'] },
    ],
  };
}

/** `deploy` is blocked by the preCheck `approval` while the var env is prod (its default). */
export const GATE = {
  vars: { env: { defaultValue: 'prod' } },
  tasks: [
    {
      id: 'deploy',
      actionName: 'print',
      preCheck: {
        approval: {
          act: 'block',
          conditions: [{ source: 'vars', key: 'env', op: 'in', values: ['prod'] }],
        },
      },
    },
  ],
};
