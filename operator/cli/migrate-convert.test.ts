import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DagSpec } from '../api/dag.ts';
import {
  convertFastflowDag,
  convertFastflowDags,
  convertFiles,
  dagName,
  MIGRATED_FROM_ANNOTATION,
  toYamlDocuments,
} from './migrate-convert.ts';
import { convert, QUICK_START, SEED } from '../../test/support/migrate-fixtures.ts';

describe('convertFastflowDag', () => {
  it('turns a fastflow Dag into a Dag manifest with the body under spec', () => {
    const { dag, problems, notes } = convert('test-dag.yaml', QUICK_START);
    expect(problems).toEqual([]);
    expect(notes).toEqual([]);
    expect(dag?.manifest).toEqual({
      apiVersion: 'fastflow.io/v1alpha1',
      kind: 'Dag',
      metadata: { name: 'test-dag', annotations: { [MIGRATED_FROM_ANNOTATION]: 'test-dag.yaml' } },
      spec: {
        id: 'test-dag',
        name: 'test',
        tasks: [
          { id: 'task1', actionName: 'PrintAction' },
          { id: 'task2', actionName: 'PrintAction', dependOn: ['task1'] },
          { id: 'task3', actionName: 'PrintAction', dependOn: ['task2'] },
        ],
      },
    });
  });

  it('keeps every fastflow key the schema knows, and the seed with both preCheck shapes', () => {
    const { dag, problems, notes } = convert('seed.yaml', SEED);
    expect(problems).toEqual([]);
    expect(dag?.manifest.metadata.name).toBe('test-dag');
    expect(dag?.manifest.spec.vars).toEqual({
      fileName: { desc: 'the file name', defaultValue: 'file.txt' },
      filePath: { desc: 'the file path', defaultValue: '/tmp/' },
    });
    expect(dag?.manifest.spec.tasks[1]?.preCheck).toEqual({
      isWarn: {
        act: 'block',
        conditions: [{ source: 'share-data', key: 'level', op: 'not-in', values: ['info'] }],
      },
    });
    expect(notes).toEqual([
      {
        file: 'seed.yaml',
        path: 'tasks[0].preCheck',
        message: expect.stringContaining('fastflow could not load this shape'),
      },
    ]);
    const full = convert(
      'full.yaml',
      `id: full\nname: n\ndesc: d\ncron: "0 * * * *"\nstatus: stopped\ncreatedAt: 1700000000\nupdatedAt: 1700000001\n` +
        `tasks:\n- {id: a, name: A, actionName: X, timeoutSecs: 600, params: {n: 3, list: [1, "b"], nested: {x: true}}}\n`,
    );
    expect(full.problems).toEqual([]);
    expect(full.dag?.manifest.spec).toEqual({
      id: 'full',
      name: 'n',
      desc: 'd',
      cron: '0 * * * *',
      status: 'stopped',
      createdAt: 1700000000,
      updatedAt: 1700000001,
      tasks: [
        {
          id: 'a',
          name: 'A',
          actionName: 'X',
          timeoutSecs: 600,
          params: { n: 3, list: [1, 'b'], nested: { x: true } },
        },
      ],
    });
    expect(full.notes.map((n) => n.path)).toEqual(['cron']);
  });

  it('takes the id from the file name when absent, and makes it a DNS name, saying so', () => {
    const { dag, notes } = convert('nested/Deploy_Prod.V2.yml', 'tasks: [{id: a, actionName: X}]');
    expect(dag?.id).toBe('Deploy_Prod.V2');
    expect(dag?.manifest.metadata.name).toBe('deploy-prod.v2');
    expect(dag?.manifest.spec.id).toBe('Deploy_Prod.V2');
    expect(notes).toEqual([
      {
        file: 'nested/Deploy_Prod.V2.yml',
        path: 'id',
        message:
          '"Deploy_Prod.V2" is not a valid Kubernetes name: the Dag is named "deploy-prod.v2" (spec.id keeps "Deploy_Prod.V2")',
      },
    ]);
    expect(convert('x.yaml', 'id: ""\ntasks: [{id: a, actionName: X}]').dag?.id).toBe('x');
  });

  it('reads numbers and booleans in string fields as fastflow did: their text', () => {
    const { dag, notes, problems } = convert(
      'n.yaml',
      'vars:\n  retries: {defaultValue: 010}\n  flag: {defaultValue: true}\n  empty:\n' +
        'tasks:\n- {id: 1, actionName: X}\n- {id: 2, actionName: X, dependOn: [1]}\n',
    );
    expect(problems).toEqual([]);
    expect(dag?.manifest.spec.vars).toEqual({
      retries: { defaultValue: '010' },
      flag: { defaultValue: 'true' },
      empty: { defaultValue: '' },
    });
    expect(dag?.manifest.spec.tasks.map((t) => [t.id, t.dependOn])).toEqual([
      ['1', undefined],
      ['2', ['1']],
    ]);
    expect(notes.map((n) => `${n.path}: ${n.message}`)).toEqual([
      'vars.retries.defaultValue: 010 written as the string "010", as fastflow read it',
      'vars.flag.defaultValue: true written as the string "true", as fastflow read it',
      'tasks[0].id: 1 written as the string "1", as fastflow read it',
      'tasks[1].id: 2 written as the string "2", as fastflow read it',
      'tasks[1].dependOn[0]: 1 written as the string "1", as fastflow read it',
      'vars.empty: no defaultValue: fastflow used "" when none was given; written as defaultValue: ""',
    ]);
  });

  it('says that a task without timeoutSecs no longer stops after 30 s', () => {
    const { notes } = convertFastflowDag({ path: 't.yaml', text: QUICK_START });
    expect(notes).toEqual([
      {
        file: 't.yaml',
        path: 'tasks',
        message:
          'no timeoutSecs on task1, task2, task3: fastflow stopped such a task after its executor default (30 s); here it has no time limit. Add timeoutSecs: 30 to keep the old limit',
      },
    ]);
    const limited = QUICK_START.replaceAll(
      'actionName: "PrintAction"',
      'actionName: P\n  timeoutSecs: 30',
    );
    expect(convertFastflowDag({ path: 't.yaml', text: limited }).notes).toEqual([]);
  });

  it('takes the first document only, as fastflow did, and says so', () => {
    const { dag, notes } = convert('two.yaml', `${QUICK_START}---\nid: other\n`);
    expect(dag?.id).toBe('test-dag');
    expect(notes[0]?.message).toMatch(/holds 2 YAML documents/);
  });
});

describe('convertFastflowDags', () => {
  it('converts what it can, refuses a name used twice, and sets the namespace', () => {
    const r = convertFastflowDags(
      [
        { path: 'a.yaml', text: QUICK_START },
        { path: 'b/test-dag.yml', text: 'tasks: [{id: a, actionName: X}]' },
        { path: 'c.yaml', text: 'tasks: [{id: a, action: X}]' },
      ],
      { namespace: 'team-a' },
    );
    expect(
      r.dags.map((d) => [d.file, d.manifest.metadata.name, d.manifest.metadata.namespace]),
    ).toEqual([['a.yaml', 'test-dag', 'team-a']]);
    expect(r.problems.map((p) => `${p.file}: ${p.path}`)).toEqual([
      'b/test-dag.yml: id',
      'c.yaml: tasks[0].action',
      'c.yaml: tasks[0].actionName',
    ]);
    expect(r.problems[0]?.message).toBe(
      'Dag name "test-dag" is already used by a.yaml: give one of them another id',
    );
  });

  it('prints manifests that parse back to valid Dag specs', () => {
    const r = convertFastflowDags([
      { path: 'a.yaml', text: QUICK_START },
      { path: 'seed.yaml', text: SEED.replace("id: 'test-dag'", "id: 'seed'") },
    ]);
    const docs = parseAllDocuments(toYamlDocuments(r.dags));
    const parsed = (Array.isArray(docs) ? docs : []).map(
      (d) => d.toJS() as Record<string, unknown>,
    );
    expect(parsed.map((d) => (d['metadata'] as { name: string }).name)).toEqual([
      'test-dag',
      'seed',
    ]);
    for (const d of parsed) expect(DagSpec.safeParse(d['spec']).success).toBe(true);
  });
});

describe('convertFiles', () => {
  it('keeps a Dag that has problems, reports each file in order, refuses a second name', () => {
    const r = convertFiles(
      [
        { path: 'one', text: 'a' },
        { path: 'two', text: 'a' },
      ],
      (file) => [
        {
          dag: convert(file.path, QUICK_START).dag,
          problems: [{ file: file.path, path: 'x', message: 'half converted' }],
          notes: [{ file: file.path, path: 'y', message: 'renamed' }],
          namePath: 'meta.name',
        },
      ],
      (name, earlier) => `${name} taken by ${earlier}`,
    );
    expect(r.dags.map((d) => d.file)).toEqual(['one']);
    expect(r.notes.map((n) => n.file)).toEqual(['one', 'two']);
    expect(r.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`)).toEqual([
      'one: x: half converted',
      'two: x: half converted',
      'two: meta.name: test-dag taken by one',
    ]);
  });
});

describe('dagName', () => {
  it('makes DNS names of at most 63 characters', () => {
    expect(dagName('test-dag')).toBe('test-dag');
    expect(dagName('My Flow__v2')).toBe('my-flow-v2');
    expect(dagName('.a..b-.')).toBe('a.b');
    expect(dagName('___')).toBeUndefined();
    const long = dagName('x'.repeat(100));
    expect(long).toMatch(/^x{54}-[0-9a-f]{8}$/);
    expect(long).not.toBe(dagName(`${'x'.repeat(99)}y`));
  });
});
