import { describe, expect, it } from 'vitest';
import { attemptObjectName, attemptObjectSelector } from './attempt-objects.ts';
import { attemptDataName } from './attempt-data.ts';
import { traceName } from './traces.ts';

const instance = { namespace: 'ns', name: 'run-1' };

describe('attempt object names', () => {
  it('gives the trace and the data of one attempt two names, each distinct per attempt', () => {
    const a = { instance, task: 'fanout[3]', attempt: 2 };
    expect(traceName(a)).toMatch(/^run-1-t[0-9a-f]{8}-2$/);
    expect(attemptDataName(a)).toMatch(/^run-1-d[0-9a-f]{8}-2$/);
    expect(attemptDataName(a)).toBe(attemptObjectName('data', a));
    expect(attemptDataName({ ...a, attempt: 3 })).not.toBe(attemptDataName(a));
  });

  it('stays a valid name for the longest instance name', () => {
    const long = { instance: { namespace: 'ns', name: 'x'.repeat(253) }, task: 't', attempt: 100 };
    expect(attemptDataName(long).length).toBeLessThanOrEqual(253);
    expect(attemptDataName(long)).toMatch(/-d[0-9a-f]{8}-100$/);
  });

  it('selects one kind of an instance, by label values that fit', () => {
    expect(attemptObjectSelector('data', 'run-1')).toBe(
      'fastflow.io/instance=run-1,fastflow.io/kind=data',
    );
    expect(attemptObjectSelector('trace', 'run-1', 'a/b')).toMatch(
      /^fastflow.io\/instance=run-1,fastflow.io\/kind=trace,fastflow.io\/task=a-b-[0-9a-f]{16}$/,
    );
  });
});
