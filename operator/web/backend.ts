/**
 * What the web view reads and asks of the cluster. The kubectl plugin
 * implements it with its own readers (instance, graph, traces, operations:
 * operator/plugin/ui.ts), so the browser sees exactly what `kubectl fastflow
 * get|tree|logs` print and steers an instance through the same annotations.
 */
import type { AttemptTrace } from '../store/traces.ts';
import type { DagInstance } from '../api/objects.ts';
import type { KubeClients } from '../kube/client.ts';
import type { DagGraph } from '../core/graph.ts';

/** An answer other than 200 with the message a user reads (e.g. 404 for an instance not found). */
export class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type DagSummary = {
  name: string;
  tasks: number;
  valid: string;
  message: string;
  created: string;
};

/** One operation or signal asked for from the browser. */
export type OperationRequest = {
  op: string;
  tasks?: string[];
  vars?: Record<string, string>;
  /** What an approval or rejection says. */
  message?: string;
  /** The JSON payload of a signal. */
  payload?: unknown;
};

export type OperationOutcome = { applied: true; message: string } | { refused: string };

export interface UiBackend {
  readonly clients: KubeClients;
  /** The namespace the kubeconfig (or -n) names: the page opens on it. */
  readonly namespace: string;
  namespaces(): Promise<string[]>;
  dags(namespace: string): Promise<DagSummary[]>;
  /** The instance with every task's entry (shards reassembled) and referenced values read. */
  instance(namespace: string, name: string): Promise<DagInstance>;
  /** Only the shards reassembled: enough for phases, cheap for the live view. */
  whole(instance: DagInstance): Promise<DagInstance>;
  /**
   * The graph it runs (snapshot, else the Dag now), or why it cannot be
   * drawn; `snapshot` names the immutable snapshot, so a layout may be kept.
   */
  graph(
    instance: DagInstance,
  ): Promise<{ graph: DagGraph; snapshot?: string } | { problem: string }>;
  traces(namespace: string, name: string, task: string): Promise<AttemptTrace[]>;
  operate(namespace: string, name: string, request: OperationRequest): Promise<OperationOutcome>;
  /** What to answer for an error a method threw: the HTTP status and the message a user reads. */
  describe(e: unknown): { status: number; message: string };
}
