/**
 * Control flow (issue 10): an approval given → the next task running, and a
 * switch's hop (its dependency done → the chosen branch running). Each
 * instance of `gate (approval) → next (no-op)` waits for approval; the bench
 * sets fastflow.io/signal (with signal-by, as kubectl would) and measures
 * from just before that write to the next task's startedAt (the worker's
 * clock: the same machine). A switch hop is the chosen task's startedAt minus
 * the switch's dependency's finishedAt (both the worker's clock). One instance
 * at a time: a latency, not a load.
 */
import { SIGNAL_ANNOTATION, SIGNAL_BY_ANNOTATION } from '../../operator/api/names.ts';
import { mergePatchOptions } from '../../operator/kube/patch.ts';
import { NOOP, type BenchDagSpec } from './dags.ts';
import { guard, waitDagValid, type PhaseContext, type Running } from './phase-guard.ts';
import { summarize } from './stats.ts';

export type FlowResult = {
  approvals: number;
  signalToRunP50Ms: number | undefined;
  signalToRunP99Ms: number | undefined;
  switchHopP50Ms: number | undefined;
  switchHopP99Ms: number | undefined;
  error: string | undefined;
};

const DAG = 'bench-approval';
const SWITCH_DAG = 'bench-switch';
/** The user the bench's kubeconfig authenticates as (test/local-cluster/credentials.ts). */
const USER = 'admin';

const approvalDag: BenchDagSpec = {
  tasks: [
    { id: 'gate', type: 'approval' },
    { id: 'next', ...NOOP, dependOn: ['gate'] },
  ],
};

/** A no-op, then a switch that picks `chosen` (pre-assigned behind `first`: the worker evaluates the switch). */
const switchDag: BenchDagSpec = {
  tasks: [
    { id: 'first', ...NOOP },
    {
      id: 'route',
      type: 'switch',
      dependOn: ['first'],
      switch: { expression: "'go'", cases: { go: ['chosen'] } },
    },
    { id: 'chosen', ...NOOP, dependOn: ['route'] },
  ],
};

async function switchOnce(run: Running, name: string): Promise<number> {
  const { api, watch } = run.ctx;
  const ran = watch.until(name, (i) => i.status?.tasks?.['chosen']?.startedAt !== undefined);
  await api.createInstance(name, SWITCH_DAG);
  const done = await guard(run, ran.promise, () => `${name}: chosen to run`).finally(ran.cancel);
  const tasks = done.status?.tasks ?? {};
  return (
    Date.parse(tasks['chosen']?.startedAt ?? '') - Date.parse(tasks['first']?.finishedAt ?? '')
  );
}

async function approveOnce(run: Running, name: string): Promise<number> {
  const { api, watch } = run.ctx;
  await api.createInstance(name, DAG);
  const w = watch.until(name, (i) => i.status?.tasks?.['gate']?.reason === 'Waiting');
  await guard(run, w.promise, () => `${name} to wait for approval`).finally(w.cancel);
  const ran = watch.until(name, (i) => i.status?.tasks?.['next']?.startedAt !== undefined);
  const t0 = Date.now();
  await api.custom.patchNamespacedCustomObject(
    {
      group: 'fastflow.io',
      version: 'v1alpha1',
      plural: 'daginstances',
      namespace: api.namespace,
      name,
      body: {
        metadata: {
          annotations: { [SIGNAL_ANNOTATION]: `${t0}:approve:gate`, [SIGNAL_BY_ANNOTATION]: USER },
        },
      },
    },
    mergePatchOptions,
  );
  const done = await guard(run, ran.promise, () => `${name}: next to run`).finally(ran.cancel);
  return Date.parse(done.status?.tasks?.['next']?.startedAt ?? '') - t0;
}

export async function runFlow(ctx: PhaseContext, o: { approvals: number }): Promise<FlowResult> {
  const run: Running = { ctx, deadline: Date.now() + ctx.timeoutMs, abort: new AbortController() };
  const res: FlowResult = {
    approvals: o.approvals,
    signalToRunP50Ms: undefined,
    signalToRunP99Ms: undefined,
    switchHopP50Ms: undefined,
    switchHopP99Ms: undefined,
    error: undefined,
  };
  try {
    await ctx.api.createDag(DAG, approvalDag);
    await waitDagValid(run, DAG);
    const samples: number[] = [];
    for (let i = 0; i < o.approvals; i++) samples.push(await approveOnce(run, `approval-${i}`));
    const s = summarize(samples);
    res.signalToRunP50Ms = s.p50;
    res.signalToRunP99Ms = s.p99;
    await ctx.api.createDag(SWITCH_DAG, switchDag);
    await waitDagValid(run, SWITCH_DAG);
    const hops: number[] = [];
    for (let i = 0; i < o.approvals; i++) hops.push(await switchOnce(run, `switch-${i}`));
    const h = summarize(hops);
    res.switchHopP50Ms = h.p50;
    res.switchHopP99Ms = h.p99;
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
  }
  return res;
}
