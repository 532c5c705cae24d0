/**
 * Dags the tests share: one that fails once, one that runs long, one that
 * blocks until continued, and large no-op shapes (`sleep` 0 s).
 */

export type Task = { id: string; actionName: string; params?: object; dependOn?: string[] };

const NOOP = { actionName: 'sleep', params: { seconds: 0 } };

/** `root` → `width` no-op children `w0…` → `join`, which depends on every child. */
export function wide(width: number): Task[] {
  const middle = Array.from({ length: width }, (_, i) => `w${i}`);
  return [
    { id: 'root', ...NOOP },
    ...middle.map((id) => ({ id, ...NOOP, dependOn: ['root'] })),
    { id: 'join', ...NOOP, dependOn: middle },
  ];
}

/** `c0` → `c1` → … → `c<length-1>`, no-op steps after `first` (when given, c0 depends on it). */
export function chain(length: number, first?: string): Task[] {
  return Array.from({ length }, (_, i) => ({
    id: `c${i}`,
    ...NOOP,
    ...(i > 0 ? { dependOn: [`c${i - 1}`] } : first ? { dependOn: [first] } : {}),
  }));
}

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
