import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file under `dir` whose name `matches`, at any depth, in lexical order
 * of the path (as Go's filepath.Walk), so a migration's output is the same on
 * every machine.
 */
export async function filesUnder(
  dir: string,
  matches: (name: string) => boolean,
): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && matches(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
