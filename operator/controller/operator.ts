import type { V1Lease } from '@kubernetes/client-node';
import { type OperatorConfig, leaseNamespaceOf } from '../api/config.ts';
import { WORKER_LEASE_LABEL } from '../api/names.ts';
import type { KubeClients } from '../kube/client.ts';
import { Controller } from '../kube/controller.ts';
import {
  collectionInformer,
  instanceInformer,
  taskResultInformer,
} from '../kube/custom-informers.ts';
import { Informer } from '../kube/informer.ts';
import { LeaderElector } from '../kube/leader-election.ts';
import type { KubeObject } from '../kube/types.ts';
import type { Logger } from '../log.ts';
import { EventRecorder } from '../observability/events.ts';
import { Registry } from '../observability/metrics.ts';
import { OperatorMetrics } from '../observability/operator-metrics.ts';
import { recordTransitions } from '../observability/transition-events.ts';
import { dagResource } from '../api/names.ts';
import { RevisionStore } from '../store/revisions.ts';
import { ShareDataStore } from '../store/share-data.ts';
import { ActionSchemaStore } from '../store/action-schemas.ts';
import { ActionSchemaCatalog } from './action-schema-catalog.ts';
import { DagReconciler } from './dag-reconciler.ts';
import { garbageCollectors } from './gc.ts';
import { InstanceShards } from './instance-shards.ts';
import { TaskShardStore } from '../store/task-shards.ts';
import { InstanceReconciler } from './instance-reconciler.ts';
import { InstanceStarter } from './instance-starter.ts';
import { maxRunningInstancesOf, needsReconcile } from './instance-triggers.ts';
import { SubDags } from './sub-dags.ts';
import { EndRuns } from './end-runs.ts';
import { AttemptDataStore } from '../store/attempt-data.ts';
import { sweepDeadWorkerLeases } from './lease-gc.ts';
import { ActionLimiter } from './action-limiter.ts';
import { LoadIndex } from './load-index.ts';
import { ResultInbox } from './result-inbox.ts';
import { RunSlots } from './run-slots.ts';
import { WorkerRegistry, type WorkerChange } from './worker-registry.ts';
import { scheduleLoop } from './schedules.ts';

export interface RunningOperator {
  /** Resolves when the process should exit: stopped, or leadership lost. */
  readonly done: Promise<'stopped' | 'leadership-lost'>;
  isLeader(): boolean;
  /** What this replica still waits for (informers not synced yet); empty once ready. */
  notReady(): string[];
  stop(): Promise<void>;
}

export interface OperatorOptions {
  /** Where the operator's metrics go (docs/metrics.md); default: a registry nobody reads. */
  metrics?: Registry;
}

/**
 * Wires the operator: informers on Dags, DagInstances, TaskResults and worker Leases run
 * on every replica (a standby's caches are warm when it takes over); the reconcile loops
 * run only on the leader, and stop at once when it loses the Lease.
 */
export function startOperator(
  config: OperatorConfig,
  clients: KubeClients,
  log: Logger,
  opts: OperatorOptions = {},
): RunningOperator {
  const ns = config.namespace;
  const leaseNamespace = leaseNamespaceOf(config);
  // Dags stay raw: an invalid one must reach the Dag reconciler, which reports it.
  const dags = collectionInformer<KubeObject>(clients, dagResource, {
    namespace: ns,
    logger: log.child({ informer: 'dags' }),
  });
  const instances = instanceInformer(clients, {
    namespace: ns,
    resyncMs: config.resyncSecs * 1000,
    logger: log.child({ informer: 'daginstances' }),
  });
  const results = taskResultInformer(clients, {
    namespace: ns,
    logger: log.child({ informer: 'taskresults' }),
  });
  const leases = new Informer<V1Lease & KubeObject>(clients.kc, {
    path: `/apis/coordination.k8s.io/v1/namespaces/${leaseNamespace}/leases`,
    labelSelector: WORKER_LEASE_LABEL,
    list: (o) => clients.coordination.listNamespacedLease({ namespace: leaseNamespace, ...o }),
    logger: log.child({ informer: 'worker-leases' }),
    // While this watch fails, a worker's silence is ours, not its own.
    onSight: (seeing) => registry.sight(seeing),
  });

  const metricsRegistry = opts.metrics ?? new Registry();
  const metrics = new OperatorMetrics(metricsRegistry);
  const load = new LoadIndex();
  const slots = new RunSlots();
  const limits = new ActionLimiter(
    config.actionConcurrency,
    (key) => instanceController.enqueue(key),
    config.actionRate,
  );
  /** A Dag's waiting instances that a freed slot (or a changed limit) lets start: looked at again. */
  const wakeWaiting = (dag: string): void => {
    for (const key of slots.startable(dag, maxRunningInstancesOf(dags.get(dag))))
      instanceController.enqueue(key);
  };
  const waiters = new Set<string>();
  const revisions = new RevisionStore(clients.apps);
  const inbox = new ResultInbox(clients.custom, log.child({ component: 'results' }));
  const shardStore = new TaskShardStore(clients.custom);
  // One reader of attempt data objects, one cache: the parent passes and the sub-DAG outputs share it.
  const attemptData = new AttemptDataStore(clients.core);
  const subDags = new SubDags({
    custom: clients.custom,
    instance: (k) => instances.get(k),
    dagExists: (k) => dags.get(k) !== undefined,
    ...{ revisions, attemptData, shards: shardStore },
    log: log.child({ component: 'sub-dags' }),
  });
  // A lost worker's instances are reconciled at once; a new worker wakes the
  // instances that wait for an action (it may have it). Called only once the
  // informers run, after everything below exists.
  const onWorkerChange = (change: WorkerChange): void => {
    log.info({ worker: change.worker }, `worker ${change.type}`);
    const keys = change.type === 'left' ? load.instancesOf(change.worker) : [...waiters];
    for (const key of keys) instanceController.enqueue(key);
    void schemas.refresh();
  };
  const registry = new WorkerRegistry({
    onChange: onWorkerChange,
    log: log.child({ component: 'workers' }),
  });
  const instanceReconciler = new InstanceReconciler({
    clients,
    cached: (k) => instances.get(k),
    starter: new InstanceStarter(clients, revisions, (k) => dags.get(k), slots),
    revisions,
    registry,
    ...{ attemptData, shareData: new ShareDataStore(clients.core), results: inbox },
    shards: new InstanceShards({
      store: shardStore,
      maxObjectBytes: config.maxObjectBytes,
      log: log.child({ component: 'shards' }),
    }),
    load,
    waiters,
    chainLookAhead: config.chainLookAhead,
    limits,
    subDags,
    endRuns: new EndRuns({ custom: clients.custom, revisions, log }),
    log: log.child({ controller: 'daginstance' }),
  });
  const instanceController = new Controller({
    name: 'daginstance',
    concurrency: config.concurrency,
    reconcile: (key, signal) => instanceReconciler.reconcile(key, signal),
    logger: log.child({ controller: 'daginstance' }),
    logKey: 'instance',
    onResult: (result, ms) => metrics.reconciled('daginstance', result, ms),
    queue: { onHandOut: (ms) => metrics.queueWaited('daginstance', ms) },
  });
  // What the live workers advertise of their actions' types: a change looks at every Dag again.
  const schemas = new ActionSchemaCatalog({
    store: new ActionSchemaStore(clients.core),
    namespace: leaseNamespace,
    live: () => registry.live(),
    changed: () => dags.keys().forEach((key) => dagController.enqueue(key)),
    log: log.child({ component: 'action-schemas' }),
  });
  const dagLog = log.child({ controller: 'dag' });
  const dagReconciler = new DagReconciler(clients, (k) => dags.get(k), dagLog, schemas);
  const dagController = new Controller({
    name: 'dag',
    concurrency: 1,
    reconcile: (key) => dagReconciler.reconcile(key),
    logger: log.child({ controller: 'dag' }),
    logKey: 'dag',
    onResult: (result, ms) => metrics.reconciled('dag', result, ms),
    queue: { onHandOut: (ms) => metrics.queueWaited('dag', ms) },
  });

  const gc = garbageCollectors({
    config,
    clients,
    instances,
    dags,
    revisions,
    onCollected: (kind, count) => metrics.collected(kind, count),
    log,
  });

  dags.onEvent((ev) => {
    dagController.enqueue(ev.key);
    wakeWaiting(ev.key);
  });
  instances.onEvent((ev) => {
    load.update(ev.key, ev.type === 'delete' ? undefined : (ev.obj.status ?? {}));
    const freed = slots.update(ev.key, ev.type === 'delete' ? undefined : ev.obj);
    if (freed !== undefined) wakeWaiting(freed);
    if (ev.type !== 'delete' && needsReconcile(ev.obj)) instanceController.enqueue(ev.key);
    // A child that changed is news for its parent: the parent pass reads it from this cache.
    const parent = subDags.observe(ev.key, ev.type === 'delete' ? undefined : ev.obj);
    if (parent !== undefined) instanceController.enqueue(parent);
  });
  // A result (written or deleted) is a reason to look at its instance again.
  results.onEvent((ev) => instanceController.enqueue(inbox.observe(ev)));
  leases.onEvent((ev) => {
    if (ev.type === 'delete') registry.remove(ev.obj.metadata?.name ?? '');
    else registry.observe(ev.obj);
  });

  const stopAll = new AbortController();
  /** While leading: now and then, delete the Leases of workers long dead. */
  const sweepDeadLeases = (signal: AbortSignal): void =>
    sweepDeadWorkerLeases(signal, {
      ...{ registry, load, namespace: leaseNamespace, ...clients },
      graceMs: config.workerLeaseGcSecs * 1000,
      log: log.child({ component: 'lease-gc' }),
    });
  let leading = false;
  let resolveDone: (v: 'stopped' | 'leadership-lost') => void = () => {};
  const done = new Promise<'stopped' | 'leadership-lost'>((r) => (resolveDone = r));

  const elector = new LeaderElector({
    coordination: clients.coordination,
    namespace: leaseNamespace,
    name: config.leaseName,
    identity: config.identity,
    leaseDurationMs: config.leaseDurationSecs * 1000,
    renewDeadlineMs: config.renewDeadlineSecs * 1000,
    retryPeriodMs: config.retryPeriodSecs * 1000,
    logger: log.child({ component: 'leader-election' }),
    onStartedLeading: (signal) => {
      leading = true;
      const synced = Object.values(informers).map((i) => i.synced());
      void Promise.all(synced).then(() => {
        if (signal.aborted) return;
        limits.expect(load.busyInstances());
        instanceController.start(signal);
        dagController.start(signal);
        schedules.start(signal);
        gc.start(signal);
        sweepDeadLeases(signal);
        for (const key of dags.keys()) dagController.enqueue(key);
        for (const key of instances.keys()) instanceController.enqueue(key);
      });
    },
    onStoppedLeading: () => {
      if (leading && !stopAll.signal.aborted) {
        log.error('leadership lost: stopping');
      }
      leading = false;
      resolveDone(stopAll.signal.aborted ? 'stopped' : 'leadership-lost');
    },
  });

  // Events and metrics: every replica answers scrapes from its caches; only the leader records Events.
  const recorder = new EventRecorder({
    events: clients.events,
    controller: 'fastflow.io/operator',
    instance: config.identity,
    log: log.child({ component: 'events' }),
    onResult: (reason, result) => metrics.event(reason, result),
  });
  recordTransitions({ dags, instances, recorder, active: () => leading });
  const schedules = scheduleLoop({
    ...{ config, clients, dags, instances, recorder, metrics, log },
    registry: metricsRegistry,
  });
  metrics.observe({
    instances: () => instances.list(),
    liveWorkers: () => registry.live().length,
    isLeader: () => leading,
    queueDepth: (c) =>
      ({ dag: dagController, daginstance: instanceController, dagschedule: schedules })[c].depth(),
  });

  const informers = { dags, instances, results, leases, schedules: schedules.informer };
  for (const informer of Object.values(informers)) informer.start();
  void elector.run(stopAll.signal);

  return {
    done,
    isLeader: () => leading,
    notReady: () =>
      Object.entries(informers)
        .filter(([, informer]) => !informer.hasSynced())
        .map(([name]) => `${name} informer not synced`),
    async stop() {
      stopAll.abort();
      await Promise.all([instanceController, dagController, schedules, gc].map((c) => c.stop()));
      await recorder.flush();
      await elector.release();
      for (const informer of Object.values(informers)) informer.stop();
      registry.stop();
      limits.stop();
      resolveDone('stopped');
    },
  };
}
