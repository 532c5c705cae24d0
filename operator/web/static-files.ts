/**
 * The page's files (static/): plain HTML, CSS and JavaScript modules, sent
 * as they are (no build step); only names of that folder are served.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ServerResponse } from 'node:http';

const ROOT = join(import.meta.dirname, 'static');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Sends static/<path> ("/" is index.html); false when there is no such file. */
export async function serveStatic(path: string, res: ServerResponse): Promise<boolean> {
  const name = path === '/' ? 'index.html' : path.slice(1);
  // A plain file name of the folder: no directories, no "..".
  if (!/^[\w-]+\.(html|js|css|svg)$/.test(name)) return false;
  let body: Buffer;
  try {
    body = await readFile(join(ROOT, name));
  } catch {
    return false;
  }
  res.writeHead(200, {
    'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
  return true;
}
