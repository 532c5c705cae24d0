import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Action } from '../../actions-runtime/sdk/action.ts';
import { ConfigInputError } from '../config/load.ts';

/** Loads `--actions` modules: every exported value that looks like an action is registered. */
export async function loadActionModules(paths: readonly string[]): Promise<Action<unknown>[]> {
  const actions: Action<unknown>[] = [];
  for (const path of paths) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigInputError(
        `--actions ${path}: cannot load: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const found = Object.values(mod).filter(isAction);
    if (found.length === 0) throw new ConfigInputError(`--actions ${path}: exports no action`);
    actions.push(...found);
  }
  return actions;
}

function isAction(v: unknown): v is Action<unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Action).name === 'string' &&
    typeof (v as Action).run === 'function'
  );
}
