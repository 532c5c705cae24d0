// The package.json that `npm pack` and `npm publish` ship. The repository runs
// its .ts sources directly (Node type stripping, no build step), so its own
// "exports" and "bin" name .ts files; Node refuses to strip types under
// node_modules, so the package ships dist/ (`npm run build`: JavaScript and
// .d.ts) and a package.json pointing at it. prepack swaps these fields in,
// postpack puts the repository's package.json back byte for byte.
//   node hack/pack-manifest.ts publish | restore
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const manifest = join(root, 'package.json');
// Outside the package's "files", so never packed; a leftover means a pack died midway.
const saved = join(root, '.package.dev.json');

const sdk = {
  types: './dist/actions-runtime/index.d.ts',
  default: './dist/actions-runtime/index.js',
};

/** The fields that differ in the packed package. */
const PUBLISHED = {
  exports: { '.': sdk, './actions-runtime': sdk },
  bin: {
    fastflow: 'dist/operator/cli/main.js',
    'kubectl-fastflow': 'dist/operator/plugin/main.js',
  },
  // Compiled JavaScript needs no type stripping: any Node 22 runs it.
  engines: { node: '>=22' },
};

function restore(): void {
  if (existsSync(saved)) renameSync(saved, manifest);
}

function publish(): void {
  restore();
  for (const file of [...Object.values(PUBLISHED.bin), sdk.types, sdk.default]) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run npm run build`);
  }
  copyFileSync(manifest, saved);
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifest, `${JSON.stringify({ ...pkg, ...PUBLISHED }, null, 2)}\n`);
}

const command = process.argv[2];
if (command === 'publish') publish();
else if (command === 'restore') restore();
else {
  process.stderr.write('usage: node hack/pack-manifest.ts publish | restore\n');
  process.exit(2);
}
