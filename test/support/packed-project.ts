/**
 * fastflow as a user gets it: `npm pack` of this repository, installed from
 * the tarball into a fresh project outside the repository, next to a worker
 * written there. Dependencies come from the registry or npm's cache.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/**
 * The environment without the npm_* variables of an enclosing `npm test`, and
 * with this Node first on PATH (the `node` of the packed bins' shebang line).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
  );
  return { ...env, PATH: [dirname(process.execPath), env['PATH'] ?? ''].join(delimiter) };
}

/** Runs `file` in `cwd`; a non-zero exit rejects with its output in the message. */
export async function sh(
  cwd: string,
  file: string,
  args: string[],
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd, env: cleanEnv(), maxBuffer: 64 << 20 });
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

export type Packed = { tarball: string; files: string[] };

/** `npm pack` of the repository (its prepack builds dist/) into a new temporary folder. */
export async function packRepository(): Promise<Packed> {
  const dest = mkdtempSync(join(tmpdir(), 'fastflow-pack-'));
  const { stdout } = await sh(ROOT, 'npm', ['pack', '--json', '--pack-destination', dest]);
  const [report] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  return { tarball: join(dest, report.filename), files: report.files.map((f) => f.path) };
}

/** The version of a package this repository has installed, so npm's cache serves it. */
function installed(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
  return `${name}@${(pkg as { version: string }).version}`;
}

/**
 * A new project depending on the tarball, zod and the type packages a
 * type-checked worker needs (@types/ws: @kubernetes/client-node's types
 * import `ws` without depending on its types), holding `files`.
 */
export async function userProject(tarball: string, files: Record<string, string>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fastflow-user-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'my-worker', private: true, type: 'module' }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const deps = [tarball, installed('zod'), installed('@types/node'), '@types/ws@8'];
  await sh(dir, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...deps]);
  return dir;
}

/** This repository's TypeScript compiler, run on `project` (a tsconfig.json folder). */
export function tsc(project: string): Promise<{ stdout: string }> {
  return sh(project, process.execPath, [
    join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    '.',
  ]);
}
