import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { at, decideOnce, graphOf, start, worker } from '../../../test/support/decide-fixtures.ts';
import type { SubDagInput } from './sub-dag.ts';

// A subDag task that grows: once per item (forEach) and in a loop's body.

const none: SubDagInput = { depth: 0, children: new Map(), missingDags: new Set() };

describe('a subDag task with forEach', () => {
  it("renders each copy's vars with its item and index", () => {
    const kids: TaskSpec = {
      id: 'kids',
      type: 'subDag',
      forEach: { items: '["eu", "us"]' },
      subDag: { dagName: 'rollout', vars: { region: '{{item}}', n: '{{itemIndex}}' } },
    };
    const d = decideOnce(graphOf([kids]), start(), [worker('w1')], at(1), { subDags: none });
    expect(d.status.tasks?.['kids[0]']).toMatchObject({
      phase: 'Running',
      params: { vars: { region: 'eu', n: '0' } },
    });
    expect(d.status.tasks?.['kids[1]']).toMatchObject({
      phase: 'Running',
      params: { vars: { region: 'us', n: '1' } },
    });
  });
});
