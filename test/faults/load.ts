/**
 * The load a fault hits: instances of a chain of the example worker's
 * PrintAction and the built-in `sleep`, created in bulk or as a steady
 * stream; then waiting until every instance is terminal, or has made no
 * progress for the stuck bound, or the scenario's time is up; and the
 * accounting of what became of them from one final LIST.
 */
import type { BenchDagSpec } from '../bench/dags.ts';
import { isTerminal, type InstanceObject } from '../bench/instances.ts';
import { account, type Accounting } from './accounting.ts';
import { sleep, type FaultSystem } from './system.ts';

const LOAD_DAG = 'load';

/** print → sleep → sleep → print: two tasks long enough to be hit mid-run. */
function loadDag(taskSeconds: number): BenchDagSpec {
  const sleepTask = { actionName: 'sleep', params: { seconds: taskSeconds } };
  return {
    tasks: [
      { id: 'first', actionName: 'PrintAction', params: { key: 'step', value: 'first' } },
      { id: 'wait-1', dependOn: ['first'], ...sleepTask },
      { id: 'wait-2', dependOn: ['wait-1'], ...sleepTask },
      { id: 'last', actionName: 'PrintAction', dependOn: ['wait-2'] },
    ],
  };
}

const CREATES_IN_FLIGHT = 16;

/** The load's Dag, valid and seen by the operator. */
export async function createLoadDag(sys: FaultSystem): Promise<void> {
  await sys.api.createDag(LOAD_DAG, loadDag(sys.env.sizes.taskSeconds));
  for (let i = 0; i < 100; i++) {
    const s = await sys.api.getDagStatus(LOAD_DAG);
    if (s?.valid === true) return;
    if (s?.valid === false) throw new Error(`load Dag invalid: ${s.message ?? ''}`);
    await sleep(100);
  }
  throw new Error('the operator never validated the load Dag');
}

/** Creates `count` instances `<prefix>-<n>`, a few at a time; returns their names. */
export async function createInstances(
  sys: FaultSystem,
  prefix: string,
  count: number,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++] as string;
      await createWithRetry(sys, name);
    }
  };
  await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, lane));
  return names;
}

/** A create that survives an API server restart (409: an earlier try got through). */
export async function createWithRetry(sys: FaultSystem, name: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await sys.api.createInstance(name, LOAD_DAG);
      return;
    } catch (e) {
      if ((e as { code?: number }).code === 409) return;
      if (tries >= 100) throw e;
      await sleep(300);
    }
  }
}

/** Tasks of the named instances that have Succeeded, from the harness's watch. */
function tasksDone(sys: FaultSystem, names: readonly string[]): number {
  let n = 0;
  for (const name of names) {
    for (const t of Object.values(sys.watch.get(name)?.status?.tasks ?? {})) {
      if (t.phase === 'Succeeded') n++;
    }
  }
  return n;
}

/** Waits until `fraction` of all the instances' tasks have Succeeded: the load is in flight. */
export async function waitInFlight(
  sys: FaultSystem,
  names: readonly string[],
  fraction: number,
): Promise<void> {
  const want = Math.ceil(names.length * loadDag(1).tasks.length * fraction);
  const deadline = Date.now() + 120_000;
  while (tasksDone(sys, names) < want) {
    if (Date.now() > deadline) throw new Error(`the load never got going (${want} tasks done)`);
    const gone = sys.procs.exitReason();
    if (gone) throw new Error(`${gone} before the fault`);
    await sleep(100);
  }
}

export type Settled = Accounting & {
  /** Seconds from the end of the faults until the last instance was terminal (or waiting stopped). */
  settleSeconds: number;
};

/**
 * Waits until every named instance is terminal, or each that is not has made
 * no progress for the stuck bound, or `settleSecs` after `faultsEndedAt`
 * (performance.now()); then accounts from a fresh LIST.
 */
export async function settle(
  sys: FaultSystem,
  names: readonly string[],
  faultsEndedAt: number,
): Promise<Settled> {
  const { stuckSecs, settleSecs } = sys.env.sizes;
  const stuckMs = stuckSecs * 1000;
  const end = faultsEndedAt + settleSecs * 1000;
  for (;;) {
    const now = performance.now();
    const open = names.filter((n) => !isTerminal(sys.watch.get(n)));
    if (open.length === 0 || now > end) break;
    const moving = open.some(
      (n) => now - Math.max(sys.watch.progressAt(n) ?? -Infinity, faultsEndedAt) < stuckMs,
    );
    if (!moving) break;
    await sleep(250);
  }
  const settleSeconds = (performance.now() - faultsEndedAt) / 1000;
  const finals = await finalList(sys);
  const progressAt = new Map(names.map((n) => [n, sys.watch.progressAt(n) ?? -Infinity]));
  const accounting = account({
    created: names,
    finals,
    progressAt,
    faultsEndedAt,
    now: performance.now(),
    stuckMs,
  });
  return { ...accounting, settleSeconds };
}

async function finalList(sys: FaultSystem): Promise<Map<string, InstanceObject>> {
  for (let tries = 0; ; tries++) {
    try {
      const { items } = await sys.api.listInstances();
      return new Map(items.map((i) => [i.metadata.name, i]));
    } catch (e) {
      if (tries >= 60) throw e;
      await sleep(500);
    }
  }
}
