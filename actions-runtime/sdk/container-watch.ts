import { Informer } from '../../operator/kube/informer.ts';
import type { KubeClients } from '../../operator/kube/client.ts';
import type { Logger } from '../../operator/log.ts';
import {
  hopelessWait,
  JOB_NAME_LABEL,
  jobEnd,
  type JobView,
  type PodView,
} from './container-job.ts';
import { NonRetryableError } from './errors.ts';

export type JobEnd = NonNullable<ReturnType<typeof jobEnd>>;

/**
 * Watches one Job and its Pods (two informers on the shared informer code:
 * list, then watch with reconnects; no polling) until the Job ends.
 */
export class JobWatch {
  readonly #name: string;
  readonly #jobs: Informer<JobView>;
  readonly #pods: Informer<PodView>;

  constructor(clients: KubeClients, namespace: string, name: string, log: Logger) {
    this.#name = name;
    const logger = log.child({ job: name });
    this.#jobs = new Informer<JobView>(clients.kc, {
      path: `/apis/batch/v1/namespaces/${namespace}/jobs`,
      list: (o) => clients.batch.listNamespacedJob({ namespace, ...o }),
      fieldSelector: `metadata.name=${name}`,
      parse: (raw) => raw as JobView,
      logger,
    });
    this.#pods = new Informer<PodView>(clients.kc, {
      path: `/api/v1/namespaces/${namespace}/pods`,
      list: (o) => clients.core.listNamespacedPod({ namespace, ...o }),
      labelSelector: `${JOB_NAME_LABEL}=${name}`,
      parse: (raw) => raw as PodView,
      logger,
    });
  }

  /**
   * Resolves when the Job has a Complete or Failed condition. Rejects with a
   * NonRetryableError when its Pod can never start, an Error when the Job is
   * deleted by someone else, and the signal's reason on abort.
   */
  ended(signal: AbortSignal): Promise<JobEnd> {
    return new Promise<JobEnd>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.stop();
        fn();
      };
      const onAbort = (): void => settle(() => reject(signal.reason as Error));
      const check = (): void => {
        for (const job of this.#jobs.list()) {
          const end = jobEnd(job);
          if (end) return settle(() => resolve(end));
        }
        for (const pod of this.#pods.list()) {
          const why = hopelessWait(pod);
          if (why) {
            const e = new NonRetryableError(`Job ${this.#name} cannot start its Pod: ${why}`);
            return settle(() => reject(e));
          }
        }
      };
      const gone = (): void =>
        settle(() => reject(new Error(`Job ${this.#name} was deleted before it ended`)));
      this.#jobs.onEvent((ev) => (ev.type === 'delete' ? gone() : check()));
      this.#pods.onEvent(check);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#jobs.start();
      this.#pods.start();
      this.#jobs.synced().then(
        () => (this.#jobs.list().length === 0 ? gone() : undefined),
        () => {},
      );
    });
  }

  /** The Job's newest Pod seen. */
  pod(): (PodView & { metadata?: { name?: string } }) | undefined {
    // Listed objects carry Dates, watched ones strings.
    const created = (p: PodView): number =>
      new Date((p.metadata?.creationTimestamp as string | Date | undefined) ?? 0).getTime();
    return this.#pods
      .list()
      .sort((a, b) => created(b) - created(a))
      .at(0);
  }

  stop(): void {
    this.#jobs.stop();
    this.#pods.stop();
  }
}
