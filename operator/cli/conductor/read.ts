/**
 * The files `fastflow migrate --from conductor` reads: each path given, or
 * every `.json` file under a folder given (in lexical order).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../migrate-convert.ts';

export async function readConductorFiles(paths: readonly string[]): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push({ path, text: await readFile(path, 'utf8') });
      continue;
    }
    const entries = await readdir(path, { recursive: true, withFileTypes: true });
    const found = entries
      .filter((e) => e.isFile() && e.name.endsWith('.json'))
      .map((e) => join(e.parentPath, e.name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const p of found) {
      const shown = join(path, relative(path, p)).split(sep).join('/');
      files.push({ path: shown, text: await readFile(p, 'utf8') });
    }
  }
  return files;
}
