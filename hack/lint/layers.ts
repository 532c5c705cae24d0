// The layering rule of docs/architecture.md ("Layers"), as an ESLint rule.
//
// Every folder that holds code is a layer and says which layers it may import
// (an allow-list: a new folder is refused until it is placed here, so the
// table always covers the whole tree). Imports are relative paths resolved
// against the importing file; packages are checked only where a layer must
// stay pure.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rule } from 'eslint';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type Layer = { name: string; dir: string; may: string[] };

/** Layers, lowest first: `dir` (a folder or one file) and what it may import. */
export const LAYERS: Layer[] = [
  { name: 'api', dir: 'operator/api', may: [] },
  // System tasks (task types other than action): decided by the pure core, which calls them.
  { name: 'core', dir: 'operator/core', may: ['api', 'control'] },
  { name: 'control', dir: 'operator/core/control', may: ['api', 'core'] },
  { name: 'log', dir: 'operator/log.ts', may: [] },
  { name: 'kube', dir: 'operator/kube', may: ['api', 'log'] },
  { name: 'config', dir: 'operator/config', may: ['api', 'log'] },
  { name: 'store', dir: 'operator/store', may: ['api', 'core', 'kube', 'log'] },
  { name: 'observability', dir: 'operator/observability', may: ['api', 'core', 'kube', 'log'] },
  {
    name: 'controller',
    dir: 'operator/controller',
    may: ['api', 'core', 'control', 'kube', 'config', 'store', 'observability', 'log'],
  },
  { name: 'mutex', dir: 'actions-runtime/mutex', may: ['api', 'kube', 'log'] },
  { name: 'sdk', dir: 'actions-runtime/sdk', may: ['api', 'kube', 'store', 'log', 'mutex'] },
  {
    name: 'client',
    dir: 'actions-runtime/client',
    may: ['api', 'core', 'kube', 'store', 'log', 'mutex'],
  },
  {
    name: 'worker',
    dir: 'actions-runtime/worker',
    // control: a worker evaluates a switch it was given branches of with the core's own pickCase.
    may: [
      'api',
      'core',
      'control',
      'kube',
      'config',
      'store',
      'observability',
      'log',
      'sdk',
      'mutex',
    ],
  },
  {
    name: 'sdk-entry',
    dir: 'actions-runtime/index.ts',
    may: ['api', 'kube', 'log', 'sdk', 'mutex', 'client', 'worker'],
  },
  // The web view's server: HTTP, live streams, layout. What it reads and does
  // comes from the plugin (operator/plugin/ui-backend.ts), which serves it.
  { name: 'web', dir: 'operator/web', may: ['api', 'core', 'kube', 'store', 'log'] },
  // The kubectl plugin is written against the SDK's public client, as a
  // user's program would be; it never reaches into the operator or the worker.
  {
    name: 'plugin',
    dir: 'operator/plugin',
    may: ['api', 'core', 'kube', 'store', 'log', 'client', 'web'],
  },
  // Entry points: the `fastflow` CLI starts the operator or a worker.
  {
    name: 'cli',
    dir: 'operator/cli',
    may: [
      'api',
      'core',
      'kube',
      'config',
      'store',
      'observability',
      'controller',
      'log',
      'sdk',
      'worker',
      'plugin',
    ],
  },
  // Tests, the bench, the local control plane and scripts may use any
  // production layer; production code never imports them.
  { name: 'local-cluster', dir: 'test/local-cluster', may: ['*production'] },
  { name: 'tests', dir: 'test', may: ['*production', 'local-cluster'] },
  // The fault suite builds on the bench's processes, instances and figures.
  { name: 'faults', dir: 'test/faults', may: ['*production', 'local-cluster', 'tests'] },
  { name: 'scripts', dir: 'hack', may: ['*production', 'local-cluster'] },
  { name: 'examples', dir: 'examples', may: ['sdk-entry'] },
  { name: 'test-config', dir: 'vitest.config.ts', may: [] },
];

const PRODUCTION = LAYERS.filter((l) => /^(operator|actions-runtime)\//.test(l.dir)).map(
  (l) => l.name,
);

// Layers whose code decides or describes and must never do I/O.
const PURE = new Set(['api', 'core', 'control']);
const IO_PACKAGES = /^(node:|@kubernetes\/|pino$|prom-client$)/;

/** The layer a repo-relative path belongs to: the longest `dir` that holds it. */
export function layerOf(path: string): Layer | undefined {
  let best: Layer | undefined;
  for (const l of LAYERS) {
    const holds = path === l.dir || path.startsWith(`${l.dir}/`);
    if (holds && (best === undefined || l.dir.length > best.dir.length)) best = l;
  }
  return best;
}

// A unit test beside its code may also use the shared test doubles and helpers.
const TEST_SUPPORT = ['tests', 'local-cluster'];

function allowed(from: Layer, to: Layer, fromTest: boolean): boolean {
  if (from.name === to.name) return true;
  if (fromTest && TEST_SUPPORT.includes(to.name)) return true;
  const may = from.may.flatMap((m) => (m === '*production' ? PRODUCTION : [m]));
  return may.includes(to.name);
}

const isTestFile = (path: string): boolean => /\.test\.ts$/.test(path);

export const layersRule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layers of docs/architecture.md' },
    schema: [],
  },
  create(context) {
    const file = relative(repoRoot, context.filename);
    const from = layerOf(file);
    const check = (node: Rule.Node, spec: unknown): void => {
      if (typeof spec !== 'string') return;
      if (from === undefined) return; // reported once, on the file
      if (!spec.startsWith('.')) {
        if (PURE.has(from.name) && !isTestFile(file) && IO_PACKAGES.test(spec)) {
          context.report({ node, message: `${from.name}/ is pure: it may not import ${spec}` });
        }
        return;
      }
      const target = relative(repoRoot, join(dirname(context.filename), spec));
      const to = layerOf(target);
      if (to === undefined) {
        if (!existsSync(join(repoRoot, target)) || isTestFile(file)) return;
        context.report({ node, message: `${spec} is in no layer` });
      } else if (!allowed(from, to, isTestFile(file))) {
        context.report({
          node,
          message: `${from.name} (${from.dir}) may not import ${to.name} (${to.dir}); it may import: ${from.may.join(', ') || 'nothing of ours'}`,
        });
      }
    };
    return {
      Program: (n) => {
        if (from !== undefined) return;
        context.report({
          node: n,
          message: `${file} is in no layer: add its folder to hack/lint/layers.ts and docs/architecture.md`,
        });
      },
      ImportDeclaration: (n) => check(n, n.source.value),
      ExportNamedDeclaration: (n) => {
        if (n.source) check(n, n.source.value);
      },
      ExportAllDeclaration: (n) => check(n, n.source.value),
      ImportExpression: (n) => {
        if (n.source.type === 'Literal') check(n, n.source.value);
      },
    };
  },
};
