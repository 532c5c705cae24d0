import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS, layerOf, layersRule } from './layers.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Lints `code` as if it were the file at repo-relative `path`, with only the layers rule. */
function lint(path: string, code: string): string[] {
  const linter = new Linter({ configType: 'flat', cwd: repoRoot });
  const messages = linter.verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { fastflow: { rules: { layers: layersRule } } },
        rules: { 'fastflow/layers': 'error' },
      },
    ],
    { filename: join(repoRoot, path) },
  );
  return messages.map((m) => m.message);
}

describe('the layers lint rule', () => {
  it('refuses an import from a higher layer, naming both layers and what is allowed', () => {
    const errors = lint('operator/core/x.ts', "import { k } from '../kube/client.ts';\n");
    expect(errors).toEqual([
      'core (operator/core) may not import kube (operator/kube); it may import: api, control',
    ]);
  });

  it('refuses I/O packages in the pure layers, but not in their tests', () => {
    expect(lint('operator/core/x.ts', "import { readFileSync } from 'node:fs';\n")).toEqual([
      'core/ is pure: it may not import node:fs',
    ]);
    expect(
      lint('operator/api/x.ts', "import { KubeConfig } from '@kubernetes/client-node';\n"),
    ).toHaveLength(1);
    expect(lint('operator/core/x.test.ts', "import { readFileSync } from 'node:fs';\n")).toEqual(
      [],
    );
  });

  it('refuses production code importing tests or the local control plane', () => {
    const errors = lint(
      'operator/controller/x.ts',
      "import { startControlPlane } from '../../test/local-cluster/control-plane.ts';\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/controller .* may not import local-cluster/);
  });

  it('lets a unit test use the shared test doubles, and production code not', () => {
    const code = "import { FakeWatchServer } from '../../test/support/fake-watch-server.ts';\n";
    expect(lint('operator/kube/informer.test.ts', code)).toEqual([]);
    expect(lint('operator/kube/informer.ts', code)).toHaveLength(1);
  });

  it('keeps the operator and the worker apart, in both directions', () => {
    expect(
      lint(
        'operator/controller/x.ts',
        "import { w } from '../../actions-runtime/worker/worker.ts';\n",
      ),
    ).toHaveLength(1);
    expect(
      lint(
        'actions-runtime/worker/x.ts',
        "import { o } from '../../operator/controller/operator.ts';\n",
      ),
    ).toHaveLength(1);
  });

  it('accepts imports the table allows, dynamic imports and re-exports included', () => {
    const code = [
      "import { a } from '../api/dag.ts';",
      "export { b } from '../core/graph.ts';",
      "export * from '../kube/client.ts';",
      "const m = await import('../store/refs.ts');",
    ].join('\n');
    expect(lint('operator/controller/x.ts', code)).toEqual([]);
    expect(lint('operator/core/x.ts', "export * from '../kube/client.ts';\n")).toHaveLength(1);
    expect(lint('operator/core/x.ts', "await import('../kube/client.ts');\n")).toHaveLength(1);
  });

  it('refuses a file in a folder that no layer names', () => {
    expect(lint('operator/newthing/x.ts', 'export const x = 1;\n')).toEqual([
      'operator/newthing/x.ts is in no layer: add its folder to hack/lint/layers.ts and docs/architecture.md',
    ]);
  });

  it('places every TypeScript file of the repository in a layer', () => {
    const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('names only layers that exist, and lists each layer once', () => {
    const names = LAYERS.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    const known = new Set([...names, '*production']);
    expect(LAYERS.flatMap((l) => l.may).filter((m) => !known.has(m))).toEqual([]);
  });
});

describe('the folder READMEs', () => {
  const folders = LAYERS.filter((l) => !l.dir.endsWith('.ts'));

  it.each(folders.map((l) => [l.dir, l]))('%s/README.md states what it may import', (dir, l) => {
    const readme = readFileSync(join(repoRoot, dir, 'README.md'), 'utf8');
    const line = /^May import: ([^.]*)\./m.exec(readme)?.[1];
    expect(line, `${dir}/README.md has no "May import: …." line`).toBeDefined();
    const stated = line === 'nothing of ours' ? [] : (line ?? '').split(', ');
    const expected = l.may.map((m) => (m === '*production' ? 'every production layer' : m));
    expect(stated).toEqual(expected);
  });
});
