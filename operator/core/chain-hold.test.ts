import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus } from '../api/dag-instance.ts';
import { mergePatchDiff } from './merge-patch.ts';
import {
  at,
  foldReports,
  graphOf,
  start,
  step,
  task,
  worker,
} from '../../test/support/decide-fixtures.ts';
import { mayHoldChainWrite } from './chain-hold.ts';

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const chain = graphOf(ids.map((id, i) => task(id, i === 0 ? [] : [ids[i - 1] as string])));
const workers = [worker('w1'), worker('w2')];
const L4 = { chainLookAhead: 4 };

/** The decision of the next pass after the reports, and whether its write may wait. */
function next(
  written: DagInstanceStatus,
  results: Record<string, 'Running' | 'Succeeded' | 'Failed'>,
  extra: Parameters<typeof step>[4] = L4,
): { decided: DagInstanceStatus; hold: boolean } {
  const decided = step(chain, foldReports(written, results).status, workers, at(2), extra).status;
  const lookAhead = extra.chainLookAhead ?? 0;
  return {
    decided,
    hold: mayHoldChainWrite({
      graph: chain,
      written,
      decided,
      lookAhead,
      diff: mergePatchDiff(written, decided),
    }),
  };
}

const first = (): DagInstanceStatus => step(chain, start(), workers, at(1), L4).status;

describe('holding back a write that only moves pre-assigned chains', () => {
  it('holds while the run keeps half the look-ahead unstarted, and writes once it has less', () => {
    const written = first();
    expect(written.tasks?.['e']).toMatchObject({ worker: 'w1', after: 'd@1' });
    // a done, b running: c, d, e are still ahead of the worker (≥ 2), and f joins the run.
    const soon = next(written, { 'a@1': 'Succeeded', 'b@1': 'Running' });
    expect(soon.decided.tasks?.['f']).toMatchObject({ phase: 'Scheduled', after: 'e@1' });
    expect(soon.hold).toBe(true);
    // Only e left unstarted: the worker would run dry, so the write (with f, g) goes.
    const low = next(written, {
      'a@1': 'Succeeded',
      'b@1': 'Succeeded',
      'c@1': 'Succeeded',
      'd@1': 'Running',
    });
    expect(low.hold).toBe(false);
    // The whole run done: the results are written at once.
    const all = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((t) => [`${t}@1`, 'Succeeded']));
    expect(next(written, all as Record<string, 'Succeeded'>).hold).toBe(false);
  });

  it('holds a run handed out to the end of its chain until its last step is done', () => {
    const L8 = { chainLookAhead: 8 };
    const written = step(chain, start(), workers, at(1), L8).status;
    expect(written.tasks?.['g']).toMatchObject({ after: 'f@1' });
    const done = (ids: string[]) => Object.fromEntries(ids.map((t) => [`${t}@1`, 'Succeeded']));
    // Only g left unstarted, below half the look-ahead, but there is nothing more to hand out.
    const last = next(written, { ...done(['a', 'b', 'c', 'd', 'e']), 'f@1': 'Running' }, L8);
    expect(last.hold).toBe(true);
    const all = next(written, done(ids) as Record<string, 'Succeeded'>, L8);
    expect(all.decided.phase).toBe('Succeeded');
    expect(all.hold).toBe(false);
  });

  it('never holds a failure: it voids the steps behind it, and may be retried', () => {
    const written = first();
    const failed = next(written, { 'a@1': 'Failed' });
    expect(failed.decided.tasks?.['b']).toMatchObject({ phase: 'Pending', voided: 1 });
    expect(failed.hold).toBe(false);
  });

  it('never holds what an operation, a pause or a deadline changes', () => {
    const written = foldReports(first(), { 'a@1': 'Running' }).status;
    // Left alone, this fold would wait: b, c, d, e are ahead of the worker.
    expect(next(written, { 'a@1': 'Succeeded' }).hold).toBe(true);
    const cancel = next(
      written,
      { 'a@1': 'Succeeded' },
      {
        ...L4,
        annotations: { 'fastflow.io/cancel': 'c1' },
      },
    );
    expect(cancel.decided.operations?.cancel?.result).toBe('Applied');
    expect(cancel.hold).toBe(false);
    const pause = next(
      written,
      { 'a@1': 'Succeeded' },
      {
        ...L4,
        annotations: { 'fastflow.io/pause': 'p1' },
      },
    );
    expect(pause.hold).toBe(false);
    const late = next(written, { 'a@1': 'Succeeded' }, { ...L4, deadline: at(1) });
    expect(late.decided.phase).toBe('Failed');
    expect(late.hold).toBe(false);
  });

  it('never holds a report of a task outside a run, nor anything with the look-ahead off', () => {
    const fan = graphOf([task('a'), task('b', ['a']), task('c', ['a'])]);
    const written = step(fan, start(), workers, at(1), L4).status;
    const decided = step(
      fan,
      foldReports(written, { 'a@1': 'Running' }).status,
      workers,
      at(2),
      L4,
    ).status;
    expect(
      mayHoldChainWrite({
        graph: fan,
        written,
        decided,
        lookAhead: 4,
        diff: mergePatchDiff(written, decided),
      }),
    ).toBe(false);
    const soon = next(first(), { 'a@1': 'Succeeded', 'b@1': 'Running' });
    expect(
      mayHoldChainWrite({
        graph: chain,
        written: first(),
        decided: soon.decided,
        lookAhead: 0,
        diff: mergePatchDiff(first(), soon.decided),
      }),
    ).toBe(false);
  });

  it('loses nothing when the operator dies holding: the next pass decides the same from the results', () => {
    const written = first();
    const results = { 'a@1': 'Succeeded', 'b@1': 'Running' } as const;
    const held = next(written, results);
    expect(held.hold).toBe(true);
    // A new leader reads the status as written and the same TaskResults.
    const again = step(chain, foldReports(written, results).status, workers, at(2), L4).status;
    expect(again).toEqual(held.decided);
  });
});
