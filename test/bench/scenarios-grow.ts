/**
 * What a DAG grows at run time (issue 10): one instance fanning out over
 * `items` no-op copies (forEach) and joining, with the largest object the
 * API server held meanwhile (the instance versions the bench's watch saw,
 * then every object left in the namespace: shards, results, data); then one
 * instance of a loop of `iterations` iterations of a one-task no-op body.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { NOOP, type BenchDagSpec } from './dags.ts';
import { largestOrLog } from './object-sizes.ts';
import { runOne } from './scenarios-large.ts';
import type { PhaseContext, PhaseResult } from './scenarios.ts';

export type GrowOptions = { items: number; iterations: number };

export type GrowResult = {
  fanOut: PhaseResult | undefined;
  loop: PhaseResult | undefined;
  /** Largest object during and after the fan-out, as JSON bytes. */
  maxObjectBytes: number | undefined;
  largest: string | undefined;
};

/** `list` → `each` over `items` items (vars.s split into characters) → `join`. */
export function fanOutDag(items: number): BenchDagSpec {
  return {
    vars: { s: { defaultValue: 'x'.repeat(items) } },
    tasks: [
      { id: 'list', ...NOOP },
      {
        id: 'each',
        ...NOOP,
        dependOn: ['list'],
        forEach: { items: "vars.s.split('')", maxConcurrency: 128, maxItems: items },
      },
      { id: 'join', ...NOOP, dependOn: ['each'] },
    ],
  };
}

/** A loop of `iterations` iterations whose body is one no-op task. */
export function loopDag(iterations: number): BenchDagSpec {
  return {
    tasks: [
      {
        id: 'again',
        type: 'loop',
        loop: { body: ['step'], while: `iteration < ${iterations}`, maxIterations: iterations },
      },
      { id: 'step', ...NOOP },
      { id: 'after', ...NOOP, dependOn: ['again'] },
    ],
  };
}

export async function runGrow(
  ctx: PhaseContext,
  kc: KubeConfig,
  o: GrowOptions,
  report: (title: string, r: PhaseResult) => void,
): Promise<GrowResult> {
  const res: GrowResult = {
    fanOut: undefined,
    loop: undefined,
    maxObjectBytes: undefined,
    largest: undefined,
  };
  const one = (name: string, title: string, spec: BenchDagSpec) =>
    runOne(ctx, name, title, spec, report);
  res.fanOut = await one('grow-fanout', `forEach over ${o.items} items → join`, fanOutDag(o.items));
  const largest = await largestOrLog(kc, ctx.api, ctx.watch.largest, ctx.log);
  res.maxObjectBytes = largest?.bytes;
  res.largest = largest?.what;
  res.loop = await one('grow-loop', `a loop of ${o.iterations} iterations`, loopDag(o.iterations));
  return res;
}
