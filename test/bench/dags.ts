/** The DAG shapes the benchmark runs, built from no-op tasks (`sleep` 0 s). */

export type BenchTask = {
  id: string;
  /** A system task (no actionName), e.g. approval. */
  type?: string;
  actionName?: string;
  dependOn?: string[];
  params?: Record<string, unknown>;
  preCheck?: Record<string, unknown>;
  /** What grows at run time: a fan-out's forEach, a loop's spec. */
  forEach?: Record<string, unknown>;
  loop?: Record<string, unknown>;
  switch?: Record<string, unknown>;
};

export type BenchDagSpec = {
  tasks: BenchTask[];
  vars?: Record<string, { defaultValue?: string }>;
};

/** An edge of the DAG: `child` may start once `parent` has finished. */
export type Edge = { parent: string; child: string };

/** A task that does nothing: `sleep` for 0 s. */
export const NOOP = { actionName: 'sleep', params: { seconds: 0 } } as const;

function noop(id: string, dependOn?: string[]): BenchTask {
  return { id, ...NOOP, params: { ...NOOP.params }, ...(dependOn ? { dependOn } : {}) };
}

/** t01 → t02 → … → t<length>; each step sleeps `stepMs` (0: a no-op). */
export function chainDag(length: number, stepMs = 0): BenchDagSpec {
  if (length < 1) throw new Error('a chain needs at least one task');
  const id = (i: number): string => `t${String(i).padStart(String(length).length, '0')}`;
  const step = (i: number): BenchTask => {
    const t = noop(id(i + 1), i === 0 ? undefined : [id(i)]);
    return stepMs > 0 ? { ...t, params: { seconds: stepMs / 1000 } } : t;
  };
  return { tasks: Array.from({ length }, (_, i) => step(i)) };
}

/** `root` → `w<i>` (width of them, in parallel) → `join`, which depends on every `w<i>`. */
export function wideDag(width: number): BenchDagSpec {
  if (width < 1) throw new Error('a fan-out needs at least one child');
  const ids = Array.from(
    { length: width },
    (_, i) => `w${String(i + 1).padStart(String(width).length, '0')}`,
  );
  return { tasks: [noop('root'), ...ids.map((id) => noop(id, ['root'])), noop('join', ids)] };
}

/**
 * `emit<i>` → `read<i>`, n pairs in parallel: each emit returns an output of
 * `bytes` bytes that its read takes as a param (actions of test/bench/actions.ts).
 */
export function outputsDag(n: number, bytes: number): BenchDagSpec {
  const pad = (i: number): string => String(i + 1).padStart(String(n).length, '0');
  return {
    tasks: Array.from({ length: n }, (_, i) => [
      { id: `emit${pad(i)}`, actionName: 'bench-emit', params: { bytes } },
      {
        id: `read${pad(i)}`,
        actionName: 'bench-read',
        dependOn: [`emit${pad(i)}`],
        params: { data: `{{tasks.emit${pad(i)}.output.data}}` },
      },
    ]).flat(),
  };
}

/**
 * `first` → `held`: held is blocked by a preCheck while the var `hold` is
 * "yes" (its default), so an instance stays live (Blocked) after one task.
 */
export function liveDag(): BenchDagSpec {
  return {
    vars: { hold: { defaultValue: 'yes' } },
    tasks: [
      noop('first'),
      {
        ...noop('held', ['first']),
        preCheck: {
          hold: {
            act: 'block',
            conditions: [{ source: 'vars', key: 'hold', op: 'in', values: ['yes'] }],
          },
        },
      },
    ],
  };
}

export function edges(spec: BenchDagSpec): Edge[] {
  return spec.tasks.flatMap((t) => (t.dependOn ?? []).map((parent) => ({ parent, child: t.id })));
}

/** Tasks without dependencies: what runs first. */
export function roots(spec: BenchDagSpec): string[] {
  return spec.tasks.filter((t) => (t.dependOn ?? []).length === 0).map((t) => t.id);
}
