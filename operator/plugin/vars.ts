/** `--var KEY=VALUE` flags of `kubectl fastflow run`. */
import { VarName } from '../api/dag.ts';
import type { DagSpec } from '../api/dag.ts';
import { UsageError } from './errors.ts';

/** Commander's collector for a repeated flag. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The vars of `--var k=v` flags. The value is everything after the first `=`
 * (it may contain `=` or be empty); the key must be a var name. A malformed
 * flag, or a key given twice, is a usage error.
 */
export function parseVars(flags: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        `--var ${JSON.stringify(flag)}: expected KEY=VALUE, e.g. --var fileName=demo.txt`,
      );
    }
    const key = flag.slice(0, eq);
    const name = VarName.safeParse(key);
    if (!name.success) {
      const why = name.error.issues[0]?.message ?? 'invalid';
      throw new UsageError(`--var ${JSON.stringify(flag)}: ${JSON.stringify(key)} ${why}`);
    }
    if (Object.hasOwn(vars, key)) throw new UsageError(`--var ${key} is given more than once`);
    vars[key] = flag.slice(eq + 1);
  }
  return vars;
}

/**
 * What is wrong with `vars` for a Dag that declares `declared`: undeclared
 * keys (with the declared ones listed), and declared vars with no default
 * that were not given. Undefined when they fit.
 */
export function checkVarsAgainstDag(
  dag: string,
  declared: DagSpec['vars'],
  vars: Record<string, string>,
): string | undefined {
  const decl = declared ?? {};
  const names = Object.keys(decl);
  const unknown = Object.keys(vars).filter((k) => !Object.hasOwn(decl, k));
  if (unknown.length > 0) {
    const list = unknown.map((k) => `--var ${k}`).join(', ');
    const known = names.length > 0 ? names.join(', ') : 'none';
    return `${list}: Dag "${dag}" declares no such var (declared: ${known})`;
  }
  const missing = names.filter(
    (n) => !Object.hasOwn(vars, n) && decl[n]?.defaultValue === undefined,
  );
  if (missing.length > 0) {
    const list = missing.map((k) => `--var ${k}=...`).join(' ');
    return `Dag "${dag}" needs ${list}: ${missing.length === 1 ? 'this var has' : 'these vars have'} no default`;
  }
  return undefined;
}
