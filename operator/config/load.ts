import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { z } from 'zod';
import { formatPath } from '../api/field-path.ts';

export class ConfigInputError extends Error {}

/**
 * Validates a process's configuration once, at start: values from flags win
 * over `FASTFLOW_*` environment variables (`leaseNamespace` ←
 * `FASTFLOW_LEASE_NAMESPACE`), then the zod schema applies defaults and
 * bounds. A bad value stops the process with every problem and its name.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  flags: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const fromEnv = env[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') input[key] = fromEnv;
  }
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) input[key] = value;
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const [key, ...inside] = i.path;
      if (typeof key !== 'string') return i.message;
      // A setting that holds an object (JSON) names the part of it that is wrong.
      const part = inside.length > 0 ? `${formatPath(inside)}: ` : '';
      return `--${kebab(key)} (${envName(key)}): ${part}${i.message}`;
    });
    throw new ConfigInputError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

export function envName(key: string): string {
  return `FASTFLOW_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * A name unique to this process: `<prefix>-<5 random chars>`, a valid DNS
 * label. A restarted process is a new worker, so tasks of the old one are
 * recovered through its expired Lease, never mistaken for its own.
 */
export function uniqueProcessName(prefix?: string): string {
  const base = (prefix ?? hostname())
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 57)
    .replace(/-+$/, '');
  const suffix = randomBytes(4).toString('hex').slice(0, 5);
  return base ? `${base}-${suffix}` : `worker-${suffix}`;
}
