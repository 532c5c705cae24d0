import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiException,
  RequestContext,
  type ConfigurationOptions,
  type CustomObjectsApi,
} from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyClients, captured, folder } from '../../test/support/migrate-io.ts';
import { MIGRATE_FIELD_MANAGER, readDagFiles, runMigrate } from './migrate.ts';

const GOOD = 'id: hello\ntasks:\n- {id: a, actionName: PrintAction, timeoutSecs: 30}\n';
const TYPO = 'tasks:\n- {id: a, action: PrintAction}\n';

describe('readDagFiles', () => {
  it('reads every .yaml/.yml file under the folder, in lexical order, like ReadDagFromDir', async () => {
    const dir = folder({ 'b.yml': GOOD, 'a.yaml': GOOD, 'notes.txt': 'x', 'sub/c.yaml': GOOD });
    expect((await readDagFiles(dir)).map((f) => f.path)).toEqual(['a.yaml', 'b.yml', 'sub/c.yaml']);
  });
});

describe('runMigrate', () => {
  it('prints the manifests and exits 0 when everything converts', async () => {
    const { out, err, io } = captured();
    const code = await runMigrate(folder({ 'hello.yaml': GOOD }), { namespace: 'team-a' }, io);
    expect(code).toBe(0);
    const docs = parseAllDocuments(out.join(''));
    const first = (Array.isArray(docs) ? docs : [])[0]?.toJS() as Record<string, unknown>;
    expect(first).toMatchObject({ kind: 'Dag', metadata: { name: 'hello', namespace: 'team-a' } });
    expect(err.join('')).toBe(
      'ok      hello.yaml -> Dag hello\nfastflow migrate: 1 of 1 files converted\n',
    );
  });

  it('reports each failure per file and field path, converts the rest, and exits 1', async () => {
    const { out, err, io } = captured();
    const dir = folder({ 'hello.yaml': GOOD, 'typo.yaml': TYPO, 'broken.yml': 'a: [1\n' });
    const outFile = join(dir, 'out.yaml');
    expect(await runMigrate(dir, { out: outFile }, io)).toBe(1);
    expect(out).toEqual([]);
    expect(readFileSync(outFile, 'utf8')).toContain('name: hello');
    const report = err.join('');
    expect(report).toContain('FAILED  typo.yaml: not converted (2 problems)');
    expect(report).toContain('  error typo.yaml: tasks[0].action: unknown field');
    expect(report).toMatch(
      /FAILED {2}broken\.yml: not converted \(1 problem\)\n {2}error broken\.yml: YAML syntax error/,
    );
    expect(report).toContain('fastflow migrate: 1 of 3 files converted, 2 failed\n');
  });

  it('refuses a missing folder or a bad namespace with exit code 2, and an empty one with 1', async () => {
    const a = captured();
    expect(await runMigrate('/no/such/dir', {}, a.io)).toBe(2);
    expect(a.err.join('')).toMatch(/cannot read \/no\/such\/dir: ENOENT/);
    const b = captured();
    expect(await runMigrate(folder({ 'x.yaml': GOOD }), { namespace: 'Bad_NS' }, b.io)).toBe(2);
    const c = captured();
    expect(await runMigrate(folder({ 'x.txt': 'no' }), {}, c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/no \.yaml or \.yml file under/);
  });

  it('applies with server-side apply into the namespace, reporting what the API server refused', async () => {
    const calls: { args: Record<string, unknown>; contentType: string | undefined }[] = [];
    const custom = {
      async patchNamespacedCustomObject(args: Record<string, unknown>, opts: ConfigurationOptions) {
        const ctx = new RequestContext('http://x/', 'PATCH');
        for (const m of opts.middleware ?? []) await m.pre(ctx).toPromise();
        calls.push({ args, contentType: ctx.getHeaders()['Content-Type'] });
        if (args['name'] === 'second') {
          throw new ApiException(
            422,
            'x',
            JSON.stringify({ code: 422, reason: 'Invalid', message: 'spec.tasks: Too many' }),
            {},
          );
        }
        return {};
      },
    };
    const clients = applyClients(custom as unknown as Partial<CustomObjectsApi>, 'ctx-ns');
    const { out, err, io } = captured();
    const dir = folder({
      'first.yaml': GOOD.replace('hello', 'first'),
      'second.yaml': GOOD.replace('hello', 'second'),
    });
    expect(await runMigrate(dir, { apply: true }, { ...io, clients })).toBe(1);
    expect(out).toEqual([]);
    expect(calls.map((c) => c.args['name'])).toEqual(['first', 'second']);
    expect(calls[0]).toMatchObject({
      contentType: 'application/apply-patch+yaml',
      args: {
        group: 'fastflow.io',
        plural: 'dags',
        namespace: 'ctx-ns',
        fieldManager: MIGRATE_FIELD_MANAGER,
        force: true,
        body: { kind: 'Dag', metadata: { name: 'first', namespace: 'ctx-ns' } },
      },
    });
    const report = err.join('');
    expect(report).toContain('applied Dag ctx-ns/first (from first.yaml)');
    expect(report).toContain(
      'FAILED  second.yaml: applying Dag ctx-ns/second: spec.tasks: Too many',
    );
    expect(report).toContain(
      'fastflow migrate: 2 of 2 files converted, 1 applied to "ctx-ns", 1 refused by the API server',
    );
  });
});
