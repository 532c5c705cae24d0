/**
 * The API server's audit log (local control plane started with `auditLog`):
 * every write request with who sent it (User-Agent: `fastflow-operator/<id>`,
 * `fastflow-worker/<name>`), when the server received it, what it touched and
 * the response code. The server's own record is what shows that a faulted
 * process's writes were refused or never sent.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export type AuditEntry = {
  /** requestReceivedTimestamp, ms since the epoch (the server's clock: this machine's). */
  at: number;
  userAgent: string;
  verb: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  code: number;
};

/** One JSON line of the audit log; undefined for lines that are not a completed request. */
export function parseAuditLine(line: string): AuditEntry | undefined {
  if (line.trim() === '') return undefined;
  let e: {
    stage?: string;
    verb?: string;
    userAgent?: string;
    requestReceivedTimestamp?: string;
    objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
    responseStatus?: { code?: number };
  };
  try {
    e = JSON.parse(line) as typeof e;
  } catch {
    return undefined; // a line cut by a crash of the server
  }
  if (e.stage !== 'ResponseComplete' && e.stage !== 'Panic') return undefined;
  return {
    at: Date.parse(e.requestReceivedTimestamp ?? ''),
    userAgent: e.userAgent ?? '',
    verb: e.verb ?? '',
    resource: e.objectRef?.resource ?? '',
    subresource: e.objectRef?.subresource ?? '',
    namespace: e.objectRef?.namespace ?? '',
    name: e.objectRef?.name ?? '',
    code: e.responseStatus?.code ?? 0,
  };
}

export const accepted = (e: AuditEntry): boolean => e.code >= 200 && e.code < 300;

/** Writes whose User-Agent is that fastflow process (`fastflow-operator/op-a`, …). */
export const by =
  (agent: string) =>
  (e: AuditEntry): boolean =>
    e.userAgent === agent || e.userAgent.startsWith(`${agent} `);

export function operatorAgent(identity: string): string {
  return `fastflow-operator/${identity}`;
}

export function workerAgent(lease: string): string {
  return `fastflow-worker/${lease}`;
}

/** "daginstances/status PATCH 422: 3, leases PUT 409: 1" */
export function summarizeWrites(entries: readonly AuditEntry[]): string {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const k = `${e.resource}${e.subresource ? `/${e.subresource}` : ''} ${e.verb} ${e.code}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
}

/** Reads a growing audit log from a mark on; only the scenario's namespace is kept. */
export class AuditLog {
  readonly #path: string;
  #offset: number;
  #partial = '';
  readonly #entries: AuditEntry[] = [];
  readonly #namespace: string;

  /** Starts at the current end of the file: earlier scenarios are not read. */
  constructor(path: string, namespace: string) {
    this.#path = path;
    this.#namespace = namespace;
    this.#offset = size(path);
  }

  /** Every write of the namespace since the mark (reads what the server has added). */
  entries(): readonly AuditEntry[] {
    // After a restart of kube-apiserver the file is appended to, never truncated.
    const end = size(this.#path);
    if (end > this.#offset) {
      const fd = openSync(this.#path, 'r');
      try {
        const buf = Buffer.alloc(end - this.#offset);
        readSync(fd, buf, 0, buf.length, this.#offset);
        this.#offset = end;
        const lines = (this.#partial + buf.toString('utf8')).split('\n');
        this.#partial = lines.pop() ?? '';
        for (const line of lines) {
          const e = parseAuditLine(line);
          if (e && e.namespace === this.#namespace) this.#entries.push(e);
        }
      } finally {
        closeSync(fd);
      }
    }
    return this.#entries;
  }
}

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
