import { describe, expect, it } from 'vitest';
import { makePaint } from './color.ts';
import { formatTraces, orderTraces } from './logs.ts';

const plain = makePaint(false);

describe('logs', () => {
  const traces = [
    { task: 'a', attempt: 1, lines: ['2025-01-01T00:00:00.000Z first'], dropped: 0 },
    { task: 'a', attempt: 2, lines: ['2025-01-01T00:00:05.000Z again'], dropped: 37 },
    { task: 'b', attempt: 1, lines: [], dropped: 0 },
  ];

  it('groups by task and attempt, with phase, worker, and the dropped count', () => {
    const lines = formatTraces(
      traces,
      {
        a: {
          phase: 'Succeeded',
          attempt: 2,
          worker: 'w-2',
          history: [{ attempt: 1, phase: 'Failed', worker: 'w-1' }],
        },
      },
      plain,
    );
    expect(lines).toEqual([
      '=== task a',
      '--- attempt 1 (Failed, worker w-1, 1 line)',
      '2025-01-01T00:00:00.000Z first',
      '--- attempt 2 (Succeeded, worker w-2, 1 line)',
      '[37 earlier lines dropped: only the newest 200 are kept]',
      '2025-01-01T00:00:05.000Z again',
      '',
      '=== task b',
      '--- attempt 1 (0 lines)',
    ]);
  });

  it('orders tasks as the Dag does, unknown ones last', () => {
    const ordered = orderTraces(
      [
        { task: 'z', attempt: 1, lines: [], dropped: 0 },
        { task: 'b', attempt: 2, lines: [], dropped: 0 },
        { task: 'a', attempt: 1, lines: [], dropped: 0 },
        { task: 'b', attempt: 1, lines: [], dropped: 0 },
      ],
      ['b', 'a'],
    );
    expect(ordered.map((t) => `${t.task}#${t.attempt}`)).toEqual(['b#1', 'b#2', 'a#1', 'z#1']);
  });

  it('dims timestamps only when colouring', () => {
    const colored = formatTraces(traces.slice(0, 1), {}, makePaint(true));
    expect(colored.at(-1)).toBe('\x1b[2m2025-01-01T00:00:00.000Z\x1b[22m first');
  });
});
