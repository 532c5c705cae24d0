/**
 * The large workloads, one instance each: a 2,000-task chain (does the hop
 * grow with the status?), a 2,000-wide fan-out into one join, and 500
 * parallel tasks that each return an 8 KiB output read downstream; then the
 * largest object the run left in the namespace.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { chainDag, outputsDag, wideDag, type BenchDagSpec } from './dags.ts';
import { largestOrLog } from './object-sizes.ts';
import { runWorkload, type PhaseContext, type PhaseResult } from './scenarios.ts';

export type LargeOptions = { chain: number; wide: number; outputs: number; outputBytes: number };

export type LargeResult = {
  chain: PhaseResult | undefined;
  wide: PhaseResult | undefined;
  outputs: PhaseResult | undefined;
  maxObjectBytes: number | undefined;
  /** Which object was the largest ("DagInstance large-chain-0"). */
  largest: string | undefined;
};

/** One instance of `spec` as workload `name`, reported under `title` as it ends. */
export async function runOne(
  ctx: PhaseContext,
  name: string,
  title: string,
  spec: BenchDagSpec,
  report: (title: string, r: PhaseResult) => void,
): Promise<PhaseResult> {
  const r = await runWorkload(ctx, { name, dag: `bench-${name}`, spec, instances: 1, inFlight: 1 });
  report(title, r);
  return r;
}

/** Runs the three workloads one after the other; `report` prints each as it ends. */
export async function runLarge(
  ctx: PhaseContext,
  kc: KubeConfig,
  o: LargeOptions,
  report: (title: string, r: PhaseResult) => void,
): Promise<LargeResult> {
  const one = (name: string, title: string, spec: BenchDagSpec) =>
    runOne(ctx, name, title, spec, report);
  const res: LargeResult = {
    chain: undefined,
    wide: undefined,
    outputs: undefined,
    maxObjectBytes: undefined,
    largest: undefined,
  };
  res.chain = await one('large-chain', `a ${o.chain}-task chain`, chainDag(o.chain));
  res.wide = await one('large-wide', `root → ${o.wide} → join`, wideDag(o.wide));
  res.outputs = await one(
    'large-outputs',
    `${o.outputs} parallel tasks each returning ${o.outputBytes} bytes, read downstream`,
    outputsDag(o.outputs, o.outputBytes),
  );
  const largest = await largestOrLog(kc, ctx.api, ctx.watch.largest, ctx.log);
  res.maxObjectBytes = largest?.bytes;
  res.largest = largest?.what;
  return res;
}
