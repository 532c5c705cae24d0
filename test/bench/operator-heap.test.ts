import { describe, expect, it } from 'vitest';
import { chartOperatorHeapMiB, operatorNodeOptions } from './operator-heap.ts';

describe('the operator the bench starts', () => {
  it("runs with the chart's heap bound, after the caller's own Node options", () => {
    const heap = chartOperatorHeapMiB();
    expect(heap).toBeGreaterThan(0);
    expect(operatorNodeOptions('--trace-gc')).toBe(`--trace-gc --max-heap-size=${heap}`);
    expect(operatorNodeOptions('')).toBe(`--max-heap-size=${heap}`);
  });
});
