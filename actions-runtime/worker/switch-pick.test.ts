import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../operator/api/dag.ts';
import type { DagInstanceStatus } from '../../operator/api/dag-instance.ts';
import { foldResults } from '../../operator/core/fold-results.ts';
import type { RevisionStore } from '../../operator/store/revisions.ts';
import type { ShareDataStore } from '../../operator/store/share-data.ts';
import {
  at,
  decideOnce,
  graphOf,
  start,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import { ChainStarts } from './chain-starts.ts';
import type { InstanceView } from './execute-attempt.ts';
import type { LocalAttempt } from './local-attempts.ts';
import { switchPicker } from './switch-pick.ts';

const EXPRESSIONS = [
  'vars.env',
  'tasks.build.output.env',
  'tasks.build.output.n > 2',
  'string(tasks.build.output.n)',
  'shareData.x',
  "tasks.build.output.flag ? vars.env : shareData.x + '!'",
  "has(tasks.build.output.env) && tasks.build.phase == 'Succeeded' ? 'prod' : 'staging'",
];

function dag(expression: string): TaskSpec[] {
  return [
    task('build'),
    {
      id: 'route',
      type: 'switch',
      dependOn: ['build'],
      switch: {
        expression,
        cases: { prod: ['prod'], staging: ['stage'], true: ['yes'], '3': ['three'] },
        default: ['dev'],
      },
    },
    ...['prod', 'stage', 'yes', 'three', 'dev'].map((id) => task(id, ['route'])),
  ];
}

const VARS = { env: { defaultValue: 'qa' } };

function attempt(task: string, entry: DagInstanceStatus['tasks'] = {}): LocalAttempt {
  const e = entry[task];
  return {
    namespace: 'ns',
    instance: 'i',
    task,
    attempt: e?.attempt ?? 1,
    dagRevision: 'rev',
    ...(e?.after ? { after: e.after } : {}),
    ...(e?.afterCase ? { afterCase: e.afterCase } : {}),
    abort: new AbortController(),
    state: 'queued',
  };
}

function picker(tasks: TaskSpec[], shareData: Record<string, string>) {
  const loaded = { snapshot: { spec: { tasks, vars: VARS } }, graph: graphOf(tasks) };
  return switchPicker({
    revisions: { load: () => Promise.resolve(loaded) } as unknown as RevisionStore,
    shareData: { read: () => Promise.resolve(shareData) } as unknown as ShareDataStore,
  });
}

describe("a worker's pick of a switch it was given branches of", () => {
  it('is the case the operator then decides, on random vars, outputs and share data', async () => {
    const output = fc.record(
      {
        env: fc.constantFrom('prod', 'staging', 'x'),
        n: fc.integer({ min: 0, max: 5 }),
        flag: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EXPRESSIONS),
        fc.constantFrom('prod', 'staging', 'qa'),
        output,
        fc.constantFrom('prod', 'staging', 'true'),
        async (expression, env, out, x) => {
          const tasks = dag(expression);
          const graph = graphOf(tasks);
          const more = { vars: { env }, shareData: { x }, chainLookAhead: 4 };
          const w = [worker('w1')];
          const s1 = decideOnce(graph, start(), w, at(1), more).status;
          // The worker: build returned `out`, and the switch is evaluated here.
          const view: InstanceView = {
            uid: 'u',
            spec: { dagRef: { name: 'd' }, vars: { env } },
            status: s1,
          };
          const mine = await picker(tasks, { x })(attempt('prod', s1.tasks), view, out);
          // The operator: build's result folded, then its own decision of the switch.
          const result = { phase: 'Succeeded' as const, output: JSON.stringify(out) };
          const folded = foldResults(s1.tasks ?? {}, [
            { worker: 'w1', results: { 'build@1': result } },
          ]);
          const s2 = decideOnce(graph, { ...s1, tasks: folded.tasks }, w, at(2), more).status;
          const theirs = (s2.tasks?.['route']?.output as { selectedCase?: string } | undefined)
            ?.selectedCase;
          expect(mine).toBe(theirs);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('ChainStarts with a switch’s branches', () => {
  const running = { phase: 'Running' as const, worker: 'w', attempt: 1 };
  const branch = (cases: string[]) => ({
    phase: 'Scheduled' as const,
    worker: 'w',
    attempt: 1,
    after: 'a@1',
    afterCase: { switch: 'route', cases },
  });
  const status = {
    a: running,
    prod: branch(['prod']),
    stage: branch(['staging']),
    dev: branch(['default']),
  };
  const view = (tasks: DagInstanceStatus['tasks']): InstanceView => ({
    uid: 'u',
    spec: { dagRef: { name: 'd' } },
    status: { tasks },
  });

  function setup(picked: string) {
    const started: string[] = [];
    const picks: unknown[] = [];
    const chain = new ChainStarts(
      (a) => started.push(a.task),
      (_a, _v, output) => {
        picks.push(output);
        return Promise.resolve(picked);
      },
    );
    const attempts = Object.fromEntries(
      ['prod', 'stage', 'dev'].map((id) => [id, attempt(id, status)]),
    );
    for (const a of Object.values(attempts)) chain.hold(a, view(status));
    return { chain, started, picks, attempts };
  }

  it('starts only the branch it picks, evaluating the switch once when the parent succeeds', async () => {
    const { chain, started, picks, attempts } = setup('prod');
    expect(started).toEqual([]);
    chain.finished(attempt('a'), { ok: true, output: { env: 'prod' } });
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toEqual(['prod']);
    expect(picks).toEqual([{ env: 'prod' }]);
    // The others wait for the operator, which voids them (their abort): never started.
    attempts['stage']?.abort.abort();
    expect(attempts['stage']?.state).toBe('done');
  });

  it('starts the branch the operator picked when it differs from its own pick', async () => {
    const { chain, started } = setup('prod');
    chain.finished(attempt('a'), { ok: true, output: {} });
    await Promise.resolve();
    await Promise.resolve();
    const decided = {
      ...status,
      a: { ...running, phase: 'Succeeded' as const },
      route: {
        phase: 'Succeeded' as const,
        output: { selectedCase: 'staging', evaluationResult: 'staging' },
      },
      stage: { phase: 'Scheduled' as const, worker: 'w', attempt: 1 },
    };
    chain.observe('ns', 'i', view(decided));
    expect(started).toEqual(['prod', 'stage']);
  });

  it('starts no branch behind a parent that failed', () => {
    const { chain, started, picks, attempts } = setup('prod');
    chain.finished(attempt('a'), { ok: false });
    expect(started).toEqual([]);
    expect(picks).toEqual([]);
    expect(Object.values(attempts).map((a) => a.state)).toEqual(['done', 'done', 'done']);
  });
});
