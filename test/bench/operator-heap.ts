/**
 * The bench runs the operator with the heap bound its chart gives it
 * (`operator.maxHeapMiB` in charts/fastflow/values.yaml), so that what it
 * measures is the operator as a cluster runs it. Without a bound, Node sizes
 * the heap from the machine's memory (4 GiB of old generation and 64 MiB
 * semi-spaces on a 23 GiB machine; ≈ 256 MiB of old generation in a 512Mi container)
 * and V8 lets garbage grow to several times what is live before it collects.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const valuesFile = fileURLToPath(new URL('../../charts/fastflow/values.yaml', import.meta.url));

/** The chart's default `operator.maxHeapMiB` (0: Node's own default). */
export function chartOperatorHeapMiB(): number {
  const values: unknown = parse(readFileSync(valuesFile, 'utf8'));
  const heap = (values as { operator?: { maxHeapMiB?: unknown } }).operator?.maxHeapMiB;
  if (typeof heap !== 'number' || !Number.isInteger(heap) || heap < 0) {
    throw new Error(`${valuesFile}: operator.maxHeapMiB is not a whole number of MiB`);
  }
  return heap;
}

/** NODE_OPTIONS for an operator the bench starts: the caller's, plus the chart's heap bound. */
export function operatorNodeOptions(inherited = process.env['NODE_OPTIONS'] ?? ''): string {
  const heap = chartOperatorHeapMiB();
  const bound = heap > 0 ? `--max-heap-size=${heap}` : '';
  return [inherited, bound].filter((s) => s !== '').join(' ');
}
