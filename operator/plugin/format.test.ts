import { describe, expect, it } from 'vitest';
import { ageOf, formatTable, humanAge, taskDuration, taskNote } from './format.ts';

describe('humanAge (kubectl AGE)', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-5000, '<invalid>'],
    [45_000, '45s'],
    [119_000, '119s'],
    [120_000, '2m'],
    [192_000, '3m12s'],
    [25 * 60_000, '25m'],
    [179 * 60_000, '179m'],
    [(4 * 60 + 10) * 60_000, '4h10m'],
    [5 * 3600_000, '5h'],
    [30 * 3600_000, '30h'],
    [(3 * 24 + 4) * 3600_000, '3d4h'],
    [120 * 24 * 3600_000, '120d'],
    [(2 * 365 + 30) * 24 * 3600_000, '2y30d'],
    [9 * 365 * 24 * 3600_000, '9y'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanAge(ms)).toBe(text);
  });

  it('ageOf a timestamp, or <unknown>', () => {
    const now = new Date('2025-01-01T00:10:00Z');
    expect(ageOf('2025-01-01T00:00:00Z', now)).toBe('10m');
    expect(ageOf(undefined, now)).toBe('<unknown>');
  });
});

describe('task duration and note', () => {
  const now = new Date('2025-01-01T00:00:10Z');
  it('from start to finish, to now while running, empty before it starts', () => {
    expect(
      taskDuration(
        {
          phase: 'Succeeded',
          startedAt: '2025-01-01T00:00:00.000Z',
          finishedAt: '2025-01-01T00:00:01.500Z',
        },
        now,
      ),
    ).toBe('1.5s');
    expect(taskDuration({ phase: 'Running', startedAt: '2025-01-01T00:00:05.000Z' }, now)).toBe(
      '5.0s',
    );
    expect(taskDuration({ phase: 'Scheduled' }, now)).toBe('');
    expect(taskDuration(undefined, now)).toBe('');
  });

  it('reason and message on one line', () => {
    expect(taskNote({ phase: 'Failed', reason: 'ActionFailed', message: 'boom\n  at x' })).toBe(
      'ActionFailed: boom at x',
    );
    expect(taskNote({ phase: 'Succeeded' })).toBe('');
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell plus 3, like kubectl', () => {
    const lines = formatTable(
      ['NAME', 'DAG', 'PHASE'],
      [
        ['test-dag-run-1', 'test-dag', 'Running'],
        ['b', 'diamond', ''],
      ],
    );
    expect(lines).toEqual([
      'NAME             DAG        PHASE',
      'test-dag-run-1   test-dag   Running',
      'b                diamond',
    ]);
  });

  it('measures widths on the plain text when cells are styled', () => {
    const lines = formatTable(['A', 'B'], [['x', 'y']], (c, t) => (c === 0 ? `<${t}>` : t));
    expect(lines).toEqual(['A   B', '<x>   y']);
  });
});
