import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asExpected, objectNames } from './bad-input-run.ts';
import { badInputs } from './bad-inputs.ts';
import { DOC_PATH, caseColumns, documentedCases, renderDoc } from './faults-doc.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const cases = badInputs();

describe('the bad-input table of R6', () => {
  it('has at least 100 cases with distinct ids and object names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(100);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    const names = cases.map((c) => objectNames(c).instance);
    expect(new Set(names).size).toBe(names.length);
  });

  it('names the field the message must name for every case that is not run to the end', () => {
    expect(cases.filter((c) => c.expect !== 'succeeded' && c.field === '')).toEqual([]);
  });

  it('covers each kind of input named in the issue', () => {
    const groups = new Set(cases.map((c) => c.group));
    expect([...groups].sort()).toEqual(['Dag', 'DagInstance', 'operation', 'params and outputs']);
    for (const id of [
      'task-id-at-limit',
      'task-id-past-limit',
      'instance-name-254',
      'output-past-limit',
    ])
      expect(cases.map((c) => c.id)).toContain(id);
  });
});

describe('asExpected', () => {
  const c = cases.find((k) => k.id === 'timeout-negative');
  it('wants the expected outcome and a message that names the field', () => {
    if (!c) throw new Error('case timeout-negative missing');
    expect(
      asExpected(c, { outcome: 'refused', message: `x: spec.${c.field}: Invalid value` }),
    ).toBe(true);
    expect(asExpected(c, { outcome: 'refused', message: 'Invalid value' })).toBe(false);
    expect(asExpected(c, { outcome: 'failed', message: c.field })).toBe(false);
  });
});

describe(DOC_PATH, () => {
  it('lists exactly the cases of the table (rerun `npm run faults -- --scenarios R6 --update-docs`)', () => {
    const doc = readFileSync(join(repo, DOC_PATH), 'utf8');
    expect(documentedCases(doc)).toEqual(cases.map(caseColumns));
  });

  it('renders one row per case, observed or not', () => {
    const doc = renderDoc(cases, new Map(), () => true);
    expect(documentedCases(doc)).toEqual(cases.map(caseColumns));
  });
});
