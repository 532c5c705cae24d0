/**
 * The files `fastflow migrate --from conductor` reads: each path given, or
 * every `.json` file under a folder given (in lexical order).
 */
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { filesUnder } from '../files-under.ts';
import type { SourceFile } from '../migrate-convert.ts';

export async function readConductorFiles(paths: readonly string[]): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    if (!(await stat(path)).isDirectory()) {
      files.push({ path, text: await readFile(path, 'utf8') });
      continue;
    }
    for (const p of await filesUnder(path, (name) => name.endsWith('.json'))) {
      const shown = join(path, relative(path, p)).split(sep).join('/');
      files.push({ path: shown, text: await readFile(p, 'utf8') });
    }
  }
  return files;
}
