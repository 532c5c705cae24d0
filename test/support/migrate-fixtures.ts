import { readFileSync } from 'node:fs';
import { convertFastflowDag } from '../../operator/cli/migrate-convert.ts';

/** Fixtures and a helper shared by the tests of the fastflow Dag conversion. */

/** The fastflow seed Dag, with vars and both preCheck shapes. */
export const SEED = readFileSync(
  new URL('../fixtures/fastflow-seed-dag.yaml', import.meta.url),
  'utf8',
);

/** The fastflow README's quick start, as users have it (test-dag.yaml). */
export const QUICK_START = readFileSync(
  new URL('../fixtures/fastflow-quick-start.yaml', import.meta.url),
  'utf8',
);

/**
 * Converts one file, leaving out the timeoutSecs note: every example but one
 * leaves timeoutSecs out, and that note has its own test.
 */
export function convert(path: string, text: string): ReturnType<typeof convertFastflowDag> {
  const r = convertFastflowDag({ path, text });
  return { ...r, notes: r.notes.filter((n) => !n.message.startsWith('no timeoutSecs')) };
}
