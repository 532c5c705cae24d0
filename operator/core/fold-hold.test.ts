import { describe, expect, it } from 'vitest';
import type { DagInstanceStatus, TaskStatus } from '../api/dag-instance.ts';
import { isFoldOnly } from './fold-hold.ts';
import { mergePatchDiff } from './merge-patch.ts';

const scheduled: TaskStatus = { phase: 'Scheduled', worker: 'w1', attempt: 1 };
const written: DagInstanceStatus = {
  phase: 'Running',
  progress: '1/3',
  tasks: { a: scheduled, b: scheduled, c: { phase: 'Pending' } },
};
const foldOnly = (decided: DagInstanceStatus): boolean =>
  isFoldOnly(mergePatchDiff(written, decided), written, decided);

describe('isFoldOnly: a write that only folds in the workers’ own reports may wait', () => {
  it('holds attempts started or succeeded where the status put them, with their progress', () => {
    const done = { ...scheduled, phase: 'Succeeded' as const, startedAt: 'x', finishedAt: 'y' };
    const running = { ...scheduled, phase: 'Running' as const, startedAt: 'x' };
    expect(foldOnly({ ...written, progress: '2/3', tasks: { ...written.tasks, a: done } })).toBe(
      true,
    );
    expect(foldOnly({ ...written, tasks: { ...written.tasks, a: running, b: done } })).toBe(true);
  });

  it('writes at once what hands something out, or ends something', () => {
    const tasks = written.tasks ?? {};
    const assigned = { ...tasks, c: { ...scheduled, worker: 'w2' } };
    const failed = { ...tasks, a: { ...scheduled, phase: 'Failed' as const } };
    const moved = { ...tasks, a: { ...scheduled, worker: 'w2', attempt: 2 } };
    const gone = { b: scheduled, c: { phase: 'Pending' as const } };
    expect(foldOnly({ ...written, tasks: assigned })).toBe(false);
    expect(foldOnly({ ...written, tasks: failed })).toBe(false);
    expect(foldOnly({ ...written, tasks: moved })).toBe(false);
    expect(foldOnly({ ...written, tasks: gone, shards: 1 })).toBe(false);
    expect(foldOnly({ ...written, phase: 'Succeeded' })).toBe(false);
    // Progress alone is the progress rule's (progress-only.ts), not this one's.
    expect(foldOnly({ ...written, progress: '2/3' })).toBe(false);
    expect(foldOnly(written)).toBe(false);
  });
});
