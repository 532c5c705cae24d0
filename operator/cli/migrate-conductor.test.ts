import { join } from 'node:path';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyClients, captured, folder } from '../../test/support/migrate-io.ts';
import { runMigrate } from './migrate.ts';

const workflow = (name: string, tasks: unknown[]): Record<string, unknown> => ({
  name,
  version: 1,
  schemaVersion: 2,
  tasks,
});
const PRINT = { name: 'print', taskReferenceName: 'hello', type: 'SIMPLE' };
const KAFKA = { name: 'publish', taskReferenceName: 'pub', type: 'KAFKA_PUBLISH' };

const names = (yaml: string): unknown[] => {
  const docs = parseAllDocuments(yaml);
  return (Array.isArray(docs) ? docs : []).map(
    (d) => (d.toJS() as { metadata: { name: string } }).metadata.name,
  );
};

describe('fastflow migrate --from conductor', () => {
  it('converts the files given, one definition or a list of them, and exits 0', async () => {
    const dir = folder({
      'one.json': JSON.stringify(workflow('order_flow', [PRINT])),
      'many.json': JSON.stringify([workflow('a_flow', [PRINT]), workflow('b_flow', [PRINT])]),
    });
    const { out, err, io } = captured();
    const files = [join(dir, 'one.json'), join(dir, 'many.json')];
    expect(await runMigrate(files, { from: 'conductor' }, io)).toBe(0);
    expect(names(out.join(''))).toEqual(['order-flow', 'a-flow', 'b-flow']);
    const report = err.join('');
    expect(report).toContain(`ok      ${files[1]} -> Dag b-flow\n`);
    expect(report).toContain('fastflow migrate: 3 Dags from 2 files\n');
  });

  it('reads every .json file of a folder', async () => {
    const dir = folder({
      'b.json': JSON.stringify(workflow('b', [PRINT])),
      'sub/a.json': JSON.stringify(workflow('a', [PRINT])),
      'notes.yaml': 'x: 1',
    });
    const { out, io } = captured();
    expect(await runMigrate([dir], { from: 'conductor' }, io)).toBe(0);
    expect(names(out.join(''))).toEqual(['b', 'a']);
  });

  it('writes a Dag whose tasks did not all convert, names each, does not apply it, and exits 1', async () => {
    const patched: unknown[] = [];
    const custom = {
      patchNamespacedCustomObject: (args: Record<string, unknown>) => {
        patched.push(args['name']);
        return Promise.resolve({});
      },
    };
    const clients = applyClients(custom as unknown as Partial<CustomObjectsApi>, 'ns');
    const dir = folder({
      'flows.json': JSON.stringify([workflow('good', [PRINT]), workflow('odd', [PRINT, KAFKA])]),
    });
    const file = join(dir, 'flows.json');
    const { err, io } = captured();
    expect(await runMigrate([file], { from: 'conductor', apply: true }, { ...io, clients })).toBe(
      1,
    );
    expect(patched).toEqual(['good']);
    const report = err.join('');
    expect(report).toContain(`PARTIAL ${file} -> Dag odd: 1 problem to fix before applying\n`);
    expect(report).toContain(
      `  error ${file}: [1].tasks[1].type: task "pub" (KAFKA_PUBLISH) does not convert: no Kafka built-in`,
    );
    expect(report).toContain(
      'fastflow migrate: 2 Dags from 1 file, 1 with tasks to finish (not applied), problems in 1 file, 1 applied to "ns"\n',
    );
  });

  it('refuses no file with 2, a missing file with 2, and a fastflow run given two folders with 2', async () => {
    const a = captured();
    expect(await runMigrate([], { from: 'conductor' }, a.io)).toBe(2);
    expect(a.err.join('')).toContain('give Conductor JSON files or folders');
    const b = captured();
    expect(await runMigrate(['/no/such.json'], { from: 'conductor' }, b.io)).toBe(2);
    expect(b.err.join('')).toMatch(/cannot read \/no\/such\.json: ENOENT/);
    const c = captured();
    expect(await runMigrate([folder({}), folder({})], {}, c.io)).toBe(2);
    expect(c.err.join('')).toContain('give one folder of fastflow Dag files');
    const d = captured();
    expect(await runMigrate([folder({ 'x.yaml': 'a: 1' })], { from: 'conductor' }, d.io)).toBe(1);
    expect(d.err.join('')).toContain('no .json file under');
  });
});

describe('fastflow migrate --from conductor, a workflow whose Dag would not validate', () => {
  it('is no Dag: FAILED, counted with the files that had problems, not as a Dag to finish', async () => {
    const cyclic = workflow('loop_back', [
      { ...PRINT, inputParameters: { x: '${later.output.x}' } },
      { name: 'print', taskReferenceName: 'later', type: 'SIMPLE' },
    ]);
    const dir = folder({ 'bad.json': JSON.stringify(cyclic) });
    const { out, err, io } = captured();
    expect(await runMigrate([join(dir, 'bad.json')], { from: 'conductor' }, io)).toBe(1);
    expect(out).toEqual([]);
    const report = err.join('');
    expect(report).toMatch(/FAILED {2}.*bad\.json: not converted \(1 problem\)/);
    expect(report).toContain('the converted Dag loop-back: ');
    expect(report).toContain('fastflow migrate: 0 Dags from 1 file, problems in 1 file\n');
  });
});
