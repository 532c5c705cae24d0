/**
 * The large workloads, one instance each: a 2,000-task chain (does the hop
 * grow with the status?), a 2,000-wide fan-out into one join, and 500
 * parallel tasks that each return an 8 KiB output read downstream; then the
 * largest object the run left in the namespace.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { chainDag, outputsDag, wideDag } from './dags.ts';
import { errorText } from './errors.ts';
import { largestObject } from './object-sizes.ts';
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

/** Runs the three workloads one after the other; `report` prints each as it ends. */
export async function runLarge(
  ctx: PhaseContext,
  kc: KubeConfig,
  o: LargeOptions,
  report: (title: string, r: PhaseResult) => void,
): Promise<LargeResult> {
  const one = async (name: string, title: string, spec: ReturnType<typeof chainDag>) => {
    const r = await runWorkload(ctx, {
      name,
      dag: `bench-${name}`,
      spec,
      instances: 1,
      inFlight: 1,
    });
    report(title, r);
    return r;
  };
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
  try {
    const largest = await largestObject(kc, ctx.api, ctx.watch.largest);
    res.maxObjectBytes = largest.bytes;
    res.largest = largest.what;
  } catch (e) {
    ctx.log(`largest object: not measured: ${errorText(e)}`);
  }
  return res;
}
