import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger per process. Components derive children with their own
 * bindings (`component`, `instance`, `task`, `attempt`, `worker`) so every line
 * can be filtered by the object it is about.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } });
}

/** A logger that drops everything: for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
