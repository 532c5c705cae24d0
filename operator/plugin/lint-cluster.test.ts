import { describe, expect, it } from 'vitest';
import { lintText } from './lint.ts';
import type { Advertised } from './lint-cluster.ts';

const ADVERTISED: Advertised = {
  schemas: {
    scale: {
      params: {
        type: 'object',
        properties: { replicas: { type: 'integer' } },
        required: ['replicas'],
      },
    },
  },
  from: '2 live workers in ff',
};

describe('lint with the schemas a cluster advertises', () => {
  it('places each mismatch at its line, in a manifest and in a bare body', () => {
    const body =
      'tasks:\n  - { id: a, actionName: scale, params: { replicas: "{{n}}" } }\nvars:\n  n: { defaultValue: "1" }\n';
    const bare = lintText(body, ADVERTISED);
    expect(bare.problems).toEqual([
      {
        path: 'tasks[0].params.replicas',
        message: 'task "a" (action scale): expected integer, given the var {{n}} (string)',
        line: 2,
        col: 43,
      },
    ]);
    const manifest = `apiVersion: fastflow.io/v1alpha1\nkind: Dag\nmetadata: { name: d }\nspec:\n${body.replace(/^/gm, '  ')}`;
    expect(lintText(manifest, ADVERTISED).problems.map((p) => [p.path, p.line])).toEqual([
      ['spec.tasks[0].params.replicas', 6],
    ]);
  });

  it('notes the actions it could not check, and checks nothing without the cluster', () => {
    const text = 'tasks:\n  - { id: a, actionName: later }\n  - { id: b, actionName: scale }\n';
    const r = lintText(text, ADVERTISED);
    expect(r.notes).toEqual(['not checked: "later" (no schema from 2 live workers in ff)']);
    expect(r.problems.map((p) => p.message)).toEqual([
      'task "b" (action scale): expected a required integer, given nothing',
    ]);
    expect(lintText(text).problems).toEqual([]);
  });
});
