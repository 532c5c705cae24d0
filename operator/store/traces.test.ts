import { describe, expect, it } from 'vitest';
import { MAX_TRACE_LINE, MAX_TRACE_LINES, TraceBuffer, traceName } from './traces.ts';

describe('TraceBuffer', () => {
  it('keeps the newest lines and counts the dropped', () => {
    const buffer = new TraceBuffer();
    const at = new Date('2026-01-01T00:00:00.000Z');
    for (let i = 0; i < MAX_TRACE_LINES + 5; i++) buffer.add(`line ${i}`, at);
    expect(buffer.lines).toHaveLength(MAX_TRACE_LINES);
    expect(buffer.dropped).toBe(5);
    expect(buffer.lines[0]).toBe('2026-01-01T00:00:00.000Z line 5');
    expect(buffer.takeDirty()).toBe(true);
    expect(buffer.takeDirty()).toBe(false);
  });

  it('cuts a very long line', () => {
    const buffer = new TraceBuffer();
    buffer.add('x'.repeat(MAX_TRACE_LINE * 2));
    expect(buffer.lines[0]?.length).toBeLessThanOrEqual(MAX_TRACE_LINE + 25);
  });
});

describe('traceName', () => {
  it('is a valid ConfigMap name, distinct per task and attempt', () => {
    const instance = { namespace: 'ns', name: 'run-1' };
    const a = traceName({ instance, task: 'Task_A', attempt: 1 });
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
    expect(traceName({ instance, task: 'Task_A', attempt: 2 })).not.toBe(a);
    expect(traceName({ instance, task: 'task_a', attempt: 1 })).not.toBe(a);
    expect(
      traceName({ instance: { namespace: 'ns', name: 'x'.repeat(253) }, task: 't', attempt: 100 })
        .length,
    ).toBeLessThanOrEqual(253);
  });
});
