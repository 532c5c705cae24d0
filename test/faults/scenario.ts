/**
 * Running one scenario: its fastflow is started in a namespace of its own,
 * the body hits it with faults and measures, and whatever happens its
 * processes are stopped; a body that throws is reported with the reason and
 * the tails of the processes' logs, never hangs the run.
 */
import { errorText } from '../bench/errors.ts';
import type { ScenarioId } from './options.ts';
import type { Check, ScenarioResult } from './result.ts';
import { FaultSystem, type RunEnv } from './system.ts';
import type { Settled } from './load.ts';

export type ScenarioBody = (sys: FaultSystem) => Promise<{
  figures: Record<string, number | string>;
  load: Settled | undefined;
  checks: Check[];
  recoverSeconds?: number;
}>;

/** Processes started by the running scenario, for the harness's exit handler. */
export const current: { sys: FaultSystem | undefined } = { sys: undefined };

export async function runScenario(
  env: RunEnv,
  id: ScenarioId,
  title: string,
  body: ScenarioBody,
  opts: { kubeconfig?: string } = {},
): Promise<ScenarioResult> {
  const t0 = performance.now();
  const result: ScenarioResult = {
    id,
    title,
    figures: {},
    load: undefined,
    checks: [],
    recoverSeconds: undefined,
    error: undefined,
    seconds: 0,
    logs: undefined,
  };
  let sys: FaultSystem | undefined;
  try {
    sys = await FaultSystem.start(env, id, opts.kubeconfig);
    current.sys = sys;
    result.logs = sys.procs.logDir;
    const out = await body(sys);
    Object.assign(result, out);
    result.figures['operators and workers replaced'] = sys.exits.join(', ') || 'none';
  } catch (e) {
    result.error = errorText(e);
    if (sys) env.log(`${id} failed: ${result.error}\n${sys.procs.tails(15)}`);
  } finally {
    await sys?.stop();
    current.sys = undefined;
    result.seconds = (performance.now() - t0) / 1000;
  }
  return result;
}

/** Seconds between two performance.now() readings, one decimal. */
export function secs(from: number, to: number): number {
  return Math.round((to - from) / 100) / 10;
}
