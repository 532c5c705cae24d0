/**
 * One process of a control plane (etcd or kube-apiserver) that can be killed
 * and started again with the same command line, hence the same port, data
 * directory and certificates: what the fault tests use to take the API
 * server or its store away and give it back.
 */
import type { ChildProcess } from 'node:child_process';
import { exited, isAlive, spawnLogged, type Running } from './children.ts';
import { waitReady } from './readiness.ts';

export type ComponentSpec = {
  /** Log file stem and name in messages: `<dir>/<name>.log`. */
  name: string;
  command: string;
  args: string[];
  readyTimeoutMs: number;
  /** Whether the process answers as ready (its health endpoint). */
  probe: () => Promise<boolean>;
};

export class Component {
  readonly #state: Running;
  readonly #spec: ComponentSpec;
  #child: ChildProcess | undefined;
  #pid = 0;

  constructor(state: Running, spec: ComponentSpec) {
    this.#state = state;
    this.#spec = spec;
  }

  /** The process id of the running (or last) process; 0 before the first start. */
  get pid(): number {
    return this.#pid;
  }

  get running(): boolean {
    return this.#child !== undefined && isAlive(this.#child);
  }

  /** Starts the process (nothing when it runs) and resolves once its probe says ready. */
  async start(): Promise<void> {
    if (this.running) return;
    const { name, command, args, readyTimeoutMs, probe } = this.#spec;
    const { child, logPath } = spawnLogged(this.#state, name, command, args);
    // In place of the previous process: the stop order (children reversed) stays the start order.
    const previous = this.#child ? this.#state.children.indexOf(this.#child) : -1;
    if (previous >= 0) {
      this.#state.children.splice(previous, 1, child);
      this.#state.children.pop();
    }
    this.#child = child;
    this.#pid = child.pid as number;
    await waitReady(name, child, logPath, readyTimeoutMs, probe);
  }

  /** kill -9, as a crash or an OOM kill: resolves once the process has exited. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !isAlive(child)) return;
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
    await exited(child);
  }

  /** kill -9, `downMs` without the process, then start it again (same flags, same port). */
  async restart(opts: { downMs?: number } = {}): Promise<void> {
    await this.kill();
    const downMs = opts.downMs ?? 0;
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.start();
  }
}
