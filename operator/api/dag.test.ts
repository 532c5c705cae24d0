import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { DagSpec, MAX_TASKS, PreCheck, TaskId, TaskSpec, VarName } from './dag.ts';
import { formatPath } from './field-path.ts';
import { describeZodError } from './objects.ts';
import { ACTION_NAME_REQUIRED } from './task-types.ts';

const SEED_FILE = new URL('../../test/fixtures/fastflow-seed-dag.yaml', import.meta.url);

/** The fastflow README's Dag (vars, params, both preCheck shapes): a fresh copy each call. */
function seed(): Record<string, unknown> & { tasks: Record<string, unknown>[] } {
  return parse(readFileSync(SEED_FILE, 'utf8')) as Record<string, unknown> & {
    tasks: Record<string, unknown>[];
  };
}

/** `s` matched literally in a RegExp. */
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function issuesOf(schema: z.ZodType, value: unknown): z.core.$ZodIssue[] {
  const result = schema.safeParse(value);
  expect(result.success, 'expected a rejection').toBe(false);
  return result.error?.issues ?? [];
}

/** Every leaf issue, with union branches flattened, each with its full path. */
function leafPaths(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      return issue.errors.flatMap((branch) => leafPaths(branch, path));
    }
    return [`${formatPath(path)}: ${issue.code}`];
  });
}

describe('DagSpec accepts the fastflow seed', () => {
  it('parses the seed YAML unchanged', () => {
    const result = DagSpec.safeParse(seed());
    expect(result.success, result.error && describeZodError(result.error, 'spec')).toBe(true);
    const spec = result.data as DagSpec;
    expect(spec.id).toBe('test-dag');
    expect(spec.name).toBe('test');
    expect(spec.vars).toEqual({
      fileName: { desc: 'the file name', defaultValue: 'file.txt' },
      filePath: { desc: 'the file path', defaultValue: '/tmp/' },
    });
    expect(spec.tasks.map((t) => [t.id, t.actionName, t.dependOn])).toEqual([
      ['task1', 'PrintAction', undefined],
      ['task2', 'PrintAction', ['task1']],
      ['task3', 'PrintAction', ['task2']],
    ]);
    expect(spec.tasks[1]?.params).toEqual({ writeName: '{{fileName}}' });
    expect(Array.isArray(spec.tasks[0]?.preCheck)).toBe(true);
    expect(spec.tasks[1]?.preCheck).toEqual({
      isWarn: {
        act: 'block',
        conditions: [{ source: 'share-data', key: 'level', op: 'not-in', values: ['info'] }],
      },
    });
  });

  it('accepts the map and list forms of preCheck alike', () => {
    const rule = {
      act: 'skip',
      conditions: [{ source: 'vars', key: 'k', op: 'in', values: ['a'] }],
    };
    expect(PreCheck.safeParse({ first: rule, second: { ...rule, act: 'block' } }).success).toBe(
      true,
    );
    expect(PreCheck.safeParse([rule, { ...rule, name: 'named' }]).success).toBe(true);
    expect(PreCheck.safeParse({}).success).toBe(true);
    expect(PreCheck.safeParse([]).success).toBe(true);
  });

  it('accepts params of any YAML shape and the migration-only keys', () => {
    const doc = seed();
    doc.cron = '*/5 * * * *';
    doc.status = 'normal';
    doc.createdAt = 1700000000;
    doc.updatedAt = 1700000001;
    (doc.tasks[2] as Record<string, unknown>).params = {
      n: 3,
      on: true,
      list: [1, 'x'],
      nested: { a: null },
    };
    (doc.tasks[2] as Record<string, unknown>).timeoutSecs = 600;
    expect(DagSpec.safeParse(doc).success).toBe(true);
  });
});

describe('DagSpec rejects with a path', () => {
  it('"action:" instead of "actionName:" (the README typo fastflow silently ignored)', () => {
    const doc = seed();
    const task = doc.tasks[2] as Record<string, unknown>;
    task.action = task.actionName;
    delete task.actionName;
    const issues = issuesOf(DagSpec, doc);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'unrecognized_keys',
          keys: ['action'],
          path: ['tasks', 2],
        }),
        expect.objectContaining({
          code: 'custom',
          path: ['tasks', 2, 'actionName'],
          message: ACTION_NAME_REQUIRED,
        }),
      ]),
    );
    const text = describeZodError(DagSpec.safeParse(doc).error as z.ZodError, 'spec');
    expect(text).toContain('spec.tasks[2]: Unrecognized key: "action"');
    expect(text).toContain('spec.tasks[2].actionName:');
  });

  it.each([
    {
      name: 'an unknown top-level key',
      edit: (d: ReturnType<typeof seed>) => void (d.steps = []),
      path: [],
    },
    {
      name: 'an unknown var key',
      edit: (d: ReturnType<typeof seed>) =>
        void ((d.vars as Record<string, Record<string, unknown>>).fileName!.default = 'x'),
      path: ['vars', 'fileName'],
    },
  ])('$name', ({ edit, path }) => {
    const doc = seed();
    edit(doc);
    expect(issuesOf(DagSpec, doc)).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', path }),
    ]);
  });

  it.each([
    { id: ['task2'], why: 'a list (the seed README typo)' },
    { id: '', why: 'empty' },
    { id: 'has space', why: 'a space' },
    { id: 'a/b', why: 'a reserved "/"' },
    { id: 'loop[0]', why: 'reserved brackets' },
    { id: '-lead', why: 'a leading dash' },
    { id: 'trail.', why: 'a trailing dot' },
    { id: 'x'.repeat(64), why: '64 characters' },
  ])('task id $why', ({ id }) => {
    const doc = seed();
    (doc.tasks[1] as Record<string, unknown>).id = id;
    const paths = issuesOf(DagSpec, doc).map((i) => formatPath(i.path));
    expect(new Set(paths)).toEqual(new Set(['tasks[1].id']));
  });

  it.each([
    { dep: 'bad id', path: ['tasks', 1, 'dependOn', 0] },
    { dep: 5, path: ['tasks', 1, 'dependOn', 0] },
  ])('a malformed dependOn entry $dep', ({ dep, path }) => {
    const doc = seed();
    (doc.tasks[1] as Record<string, unknown>).dependOn = [dep];
    expect(issuesOf(DagSpec, doc).map((i) => i.path)).toEqual([path]);
  });

  it.each([
    { name: 'missing tasks', tasks: undefined, code: 'invalid_type' },
    { name: 'no tasks', tasks: [], code: 'too_small' },
    {
      name: `${MAX_TASKS + 1} tasks`,
      tasks: Array.from({ length: MAX_TASKS + 1 }, (_, i) => ({ id: `t${i}`, actionName: 'A' })),
      code: 'too_big',
    },
  ])('$name', ({ tasks, code }) => {
    const doc = seed();
    if (tasks === undefined) delete (doc as Record<string, unknown>).tasks;
    else doc.tasks = tasks;
    expect(issuesOf(DagSpec, doc)).toEqual([expect.objectContaining({ code, path: ['tasks'] })]);
    expect(describeZodError(DagSpec.safeParse(doc).error as z.ZodError, 'spec')).toMatch(
      /^spec\.tasks: /,
    );
  });

  it(`accepts exactly ${MAX_TASKS} tasks, and a join of all the others`, () => {
    const tasks = Array.from({ length: MAX_TASKS }, (_, i) => ({ id: `t${i}`, actionName: 'A' }));
    const others = tasks.slice(1).map((t) => t.id);
    expect(
      DagSpec.safeParse({ tasks: [{ ...tasks[0], dependOn: others }, ...tasks.slice(1)] }),
    ).toMatchObject({ success: true });
  });

  it.each([
    { field: 'op', value: 'equals', leaf: '.conditions[0].op' },
    { field: 'source', value: 'env', leaf: '.conditions[0].source' },
    { field: 'act', value: 'fail', leaf: '.act' },
    { field: 'extra', value: 'x', leaf: '.conditions[0]' },
  ])('an unknown preCheck $field, in both shapes', ({ field, value, leaf }) => {
    const condition: Record<string, unknown> = {
      source: 'vars',
      key: 'fileName',
      op: 'in',
      values: ['a'],
    };
    const rule: Record<string, unknown> = { act: 'skip', conditions: [condition] };
    if (field === 'act') rule.act = value;
    else condition[field] = value;

    const asMap = seed();
    (asMap.tasks[0] as Record<string, unknown>).preCheck = { myCheck: rule };
    const mapIssues = issuesOf(DagSpec, asMap);
    expect(mapIssues.map((i) => i.path.slice(0, 3))).toEqual([['tasks', 0, 'preCheck']]);
    expect(leafPaths(mapIssues)).toContainEqual(
      expect.stringMatching(new RegExp(`^tasks\\[0\\]\\.preCheck\\.myCheck${escape(leaf)}: `)),
    );

    const asList = seed();
    (asList.tasks[0] as Record<string, unknown>).preCheck = [rule];
    const listIssues = issuesOf(DagSpec, asList);
    expect(listIssues.map((i) => i.path.slice(0, 3))).toEqual([['tasks', 0, 'preCheck']]);
    expect(leafPaths(listIssues)).toContainEqual(
      expect.stringMatching(new RegExp(`^tasks\\[0\\]\\.preCheck\\[0\\]${escape(leaf)}: `)),
    );
  });

  it('a preCheck rule without conditions', () => {
    const doc = seed();
    (doc.tasks[0] as Record<string, unknown>).preCheck = { c: { act: 'skip', conditions: [] } };
    expect(leafPaths(issuesOf(DagSpec, doc))).toContain(
      'tasks[0].preCheck.c.conditions: too_small',
    );
  });

  it.each([
    { name: 'timeoutSecs negative', patch: { timeoutSecs: -1 }, path: ['timeoutSecs'] },
    { name: 'timeoutSecs fractional', patch: { timeoutSecs: 1.5 }, path: ['timeoutSecs'] },
    {
      name: 'timeoutSecs over a week',
      patch: { timeoutSecs: 7 * 24 * 3600 + 1 },
      path: ['timeoutSecs'],
    },
    { name: 'empty actionName', patch: { actionName: '' }, path: ['actionName'] },
    { name: 'params a list', patch: { params: ['a'] }, path: ['params'] },
    {
      name: 'more dependencies than a Dag has tasks',
      patch: { dependOn: Array.from({ length: MAX_TASKS + 1 }, (_, i) => `d${i}`) },
      path: ['dependOn'],
    },
  ])('task with $name', ({ patch, path }) => {
    const result = TaskSpec.safeParse({ id: 'a', actionName: 'A', ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([path]);
  });

  it('a var with a bad name or a non-string default', () => {
    expect(
      issuesOf(DagSpec, { vars: { '1x': {} }, tasks: [{ id: 'a', actionName: 'A' }] })[0]?.path,
    ).toEqual(['vars', '1x']);
    expect(
      issuesOf(DagSpec, {
        vars: { x: { defaultValue: 3 } },
        tasks: [{ id: 'a', actionName: 'A' }],
      })[0]?.path,
    ).toEqual(['vars', 'x', 'defaultValue']);
  });

  it('an unknown Dag status', () => {
    expect(issuesOf(DagSpec, { ...seed(), status: 'paused' }).map((i) => i.path)).toEqual([
      ['status'],
    ]);
  });
});

describe('TaskId and VarName', () => {
  it.each(['a', 'A1', 'task-1', 'task_1', 'v1.2', '0', 'x'.repeat(63)])(
    'task id %s is valid',
    (id) => {
      expect(TaskId.safeParse(id).success).toBe(true);
    },
  );
  it.each(['fileName', '_private', 'a.b-c', 'x'.repeat(63)])('var name %s is valid', (name) => {
    expect(VarName.safeParse(name).success).toBe(true);
  });
  it.each(['', '1abc', '-a', 'a b', 'x'.repeat(64)])('var name %j is invalid', (name) => {
    expect(VarName.safeParse(name).success).toBe(false);
  });
});
