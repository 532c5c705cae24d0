import { describe, expect, it } from 'vitest';
import type { DagInstance } from '../api/objects.ts';
import { ChildViews } from './child-output.ts';

const child = (resourceVersion: string): DagInstance => ({
  apiVersion: 'fastflow.io/v1alpha1',
  kind: 'DagInstance',
  metadata: { namespace: 'ns', name: 'p-deploy-1', resourceVersion },
  spec: { dagRef: { name: 'rollout' } },
  status: { phase: 'Succeeded' },
});

describe("a finished child's view", () => {
  it('is made once per resourceVersion of the child, and again once the child went', async () => {
    const views = new ChildViews<number>();
    let made = 0;
    const make = () => Promise.resolve(++made);
    expect(await views.get(child('5'), make)).toBe(1);
    expect(await views.get(child('5'), make)).toBe(1);
    expect(await views.get(child('6'), make)).toBe(2);
    views.forget('ns/p-deploy-1');
    expect(await views.get(child('6'), make)).toBe(3);
    expect(made).toBe(3);
  });
});
