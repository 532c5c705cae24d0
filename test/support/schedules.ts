/** DagSchedules of a test's namespace: create, read, their runs, and waiting for what is expected. */
import {
  API_VERSION,
  DAG_SCHEDULE,
  SCHEDULE_LABEL,
  instanceResource,
  scheduleResource,
} from '../../operator/api/names.ts';
import { DagInstance, DagSchedule } from '../../operator/api/objects.ts';
import type { FastflowEnv } from './fastflow-env.ts';

export interface ScheduleHelpers {
  createSchedule: (name: string, spec: Record<string, unknown>) => Promise<unknown>;
  getSchedule: (name: string) => Promise<DagSchedule>;
  /** The DagInstances labelled as runs of the schedule. */
  runsOf: (schedule: string) => Promise<DagInstance[]>;
  /** Polls `probe` until it returns a value; fails with what it saw last. */
  eventually: <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs?: number,
  ) => Promise<T>;
}

/** `envOf`: the test file's FastflowEnv, once its beforeAll has made it. */
export function scheduleHelpers(envOf: () => FastflowEnv): ScheduleHelpers {
  function createSchedule(name: string, spec: Record<string, unknown>): Promise<unknown> {
    return envOf().custom.createNamespacedCustomObject({
      ...scheduleResource,
      namespace: envOf().namespace,
      body: { apiVersion: API_VERSION, kind: DAG_SCHEDULE.kind, metadata: { name }, spec },
    });
  }

  async function getSchedule(name: string): Promise<DagSchedule> {
    const raw = await envOf().custom.getNamespacedCustomObject({
      ...scheduleResource,
      namespace: envOf().namespace,
      name,
    });
    return DagSchedule.parse(raw);
  }

  async function runsOf(schedule: string): Promise<DagInstance[]> {
    const list = (await envOf().custom.listNamespacedCustomObject({
      ...instanceResource,
      namespace: envOf().namespace,
      labelSelector: `${SCHEDULE_LABEL}=${schedule}`,
    })) as { items: unknown[] };
    return list.items.map((i) => DagInstance.parse(i));
  }

  /** Polls `probe` until it returns a value; fails with what it saw last. */
  async function eventually<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let failure: unknown;
    while (Date.now() < deadline) {
      // A request may fail now and then (a new CRD's storage still starting: 429): look again.
      const found = await probe().catch((e: unknown) => void (failure = e));
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `${what}: not seen in ${timeoutMs} ms (last error: ${String(failure)}; process logs: ${envOf().logs})`,
    );
  }
  return { createSchedule, getSchedule, runsOf, eventually };
}
