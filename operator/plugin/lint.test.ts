import { describe, expect, it } from 'vitest';
import { makePaint } from './color.ts';
import { formatLint, lintText, type LintProblem } from './lint.ts';

const brief = (problems: LintProblem[]): string[] =>
  problems.map((p) => `${p.line ?? '?'}:${p.col ?? '?'} ${p.path}: ${p.message}`);

const GOOD_MANIFEST = `apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata:
  name: test-dag
spec:
  vars:
    fileName: { desc: the file name, defaultValue: file.txt }
  tasks:
    - id: task1
      actionName: PrintAction
      params: { key: file, value: "{{fileName}}" }
    - id: task2
      actionName: PrintAction
      dependOn: [task1]
`;

describe('lint', () => {
  it('accepts a good manifest and a bare fastflow body', () => {
    const manifest = lintText(GOOD_MANIFEST);
    expect(manifest.problems).toEqual([]);
    expect(manifest.dags).toEqual([{ name: 'test-dag', tasks: 2 }]);
    const bare = lintText(
      'id: x\nname: x\ncron: "* * * * *"\ntasks:\n  - { id: a, actionName: print }\n',
    );
    expect(bare.problems).toEqual([]);
    expect(bare.dags).toEqual([{ name: undefined, tasks: 1 }]);
    expect(formatLint('dag.yaml', manifest, makePaint(false))).toEqual([
      'dag.yaml: ok: Dag "test-dag" with 2 tasks',
    ]);
  });

  it('reports unknown fields with their path and line, suggesting the known one', () => {
    const r = lintText(`apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata:
  name: d
  labelz: {}
spec:
  vars:
    who: { defaultValue: x, type: string }
  tasks:
    - id: a
      actionName: print
      dependsOn: [b]
`);
    expect(brief(r.problems)).toEqual([
      '5:3 metadata.labelz: unknown field "labelz"',
      '8:29 spec.vars.who.type: unknown field "type"',
      '12:7 spec.tasks[0].dependsOn: unknown field "dependsOn" (did you mean "dependOn"?)',
    ]);
  });

  it("reports the operator's problems: unknown dependency, self-dependency, cycle, templates", () => {
    const graph = lintText(`tasks:
  - { id: a, actionName: print, dependOn: [ghost] }
  - { id: b, actionName: print, dependOn: [c] }
  - { id: c, actionName: print, dependOn: [b] }
  - { id: d, actionName: print, dependOn: [d] }
`);
    expect(brief(graph.problems)).toEqual([
      '1:1 tasks: tasks form a cycle: b -> c -> b',
      '2:44 tasks[0].dependOn[0]: task "a" depends on "ghost", which is not a task of this Dag',
      '5:44 tasks[3].dependOn[0]: task "d" depends on itself',
    ]);
    const templates = lintText(`vars: { who: { defaultValue: x } }
tasks:
  - { id: a, actionName: print, params: { msg: "{{whom}}", out: "{{tasks.b.output}}" } }
  - { id: b, actionName: print }
`);
    expect(brief(templates.problems)).toEqual([
      '3:43 tasks[0].params.msg: {{whom}}: var "whom" is not declared by the Dag (declared: who)',
      '3:60 tasks[0].params.out: {{tasks.b.output}}: task "b" is not upstream of "a" (it may not have finished when "a" starts): add it to dependOn, directly or through another task',
    ]);
  });

  it('reports schema problems and still runs the graph checks when ids and dependOn are valid', () => {
    const r = lintText(`apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata: { name: d }
spec:
  tasks:
    - id: a
      actionName: print
      timeoutSecs: "10"
      dependOn: [x]
      preCheck:
        - act: skipp
          conditions: [{ source: vars, key: who, op: eq, values: [x] }]
`);
    expect(brief(r.problems)).toEqual([
      '8:7 spec.tasks[0].timeoutSecs: Invalid input: expected number, received string',
      '9:18 spec.tasks[0].dependOn[0]: task "a" depends on "x", which is not a task of this Dag',
      '11:11 spec.tasks[0].preCheck[0].act: Invalid option: expected one of "skip"|"block"',
    ]);
  });

  it('checks the manifest fields and the CRD limit on vars', () => {
    const vars = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`v${i}`, {}]));
    const r = lintText(
      JSON.stringify({
        apiVersion: 'fastflow.io/v1',
        kind: 'Dag',
        metadata: { name: 'Bad_Name' },
        spec: { vars, tasks: [{ id: 'a', actionName: 'print' }] },
        extra: 1,
      }),
    );
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'apiVersion: must be fastflow.io/v1alpha1 (got "fastflow.io/v1")',
      'metadata.name: must be a lowercase DNS-1123 name',
      'spec.vars: at most 128 vars (found 129)',
      'extra: unknown field "extra"',
    ]);
    expect(brief(lintText('kind: Dag\nspec: { tasks: [] }\n').problems)).toEqual([
      '1:1 apiVersion: must be fastflow.io/v1alpha1 (missing)',
      '1:1 metadata: required: an object with the name of the Dag',
      '2:9 spec.tasks: Too small: expected array to have >=1 items',
    ]);
  });

  it('skips documents of other kinds with a note, and numbers documents', () => {
    const r = lintText(`${GOOD_MANIFEST}---
apiVersion: fastflow.io/v1alpha1
kind: DagInstance
metadata: { name: run-1 }
spec: { dagRef: { name: test-dag } }
---
tasks: [{ id: a, actionName: print, dependOn: [z] }]
`);
    expect(r.notes).toEqual(['document 2: kind "DagInstance" is not a Dag: not checked']);
    expect(r.problems).toEqual([
      expect.objectContaining({ document: 3, line: 21, path: 'tasks[0].dependOn[0]' }),
    ]);
    expect(formatLint('f.yaml', r, makePaint(false))).toEqual([
      'f.yaml:21:48 (document 3): tasks[0].dependOn[0]: task "a" depends on "z", which is not a task of this Dag',
      'f.yaml: note: document 2: kind "DagInstance" is not a Dag: not checked',
      'f.yaml: 1 problem',
    ]);
  });

  it('reports YAML syntax errors and files without a Dag', () => {
    expect(brief(lintText('tasks: [\n').problems)).toEqual([
      expect.stringMatching(/^2:1 : YAML: /) as unknown as string,
    ]);
    expect(lintText('').problems).toEqual([{ path: '', message: 'no Dag in this file' }]);
    expect(lintText('- a\n- b\n').problems[0]?.message).toMatch(/^expected a Dag manifest/);
  });

  it('checks a 5,000-task Dag with a 4,998-way join; notes that client-side apply cannot keep it', () => {
    const middle = Array.from({ length: 4998 }, (_, i) => `w${i}`);
    const tasks = [
      { id: 'root', actionName: 'sleep', params: { seconds: 0 } },
      ...middle.map((id) => ({
        id,
        actionName: 'sleep',
        params: { seconds: 0 },
        dependOn: ['root'],
      })),
      { id: 'join', actionName: 'print', dependOn: [...middle, 'join'] },
    ];
    const r = lintText(JSON.stringify({ tasks }));
    expect(r.dags).toEqual([{ name: undefined, tasks: 5000 }]);
    expect(r.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'tasks[4999].dependOn[4998]: task "join" depends on itself',
    ]);
    expect(r.notes).toEqual([
      expect.stringMatching(/^\d+ KiB: client-side `kubectl apply` cannot keep .* --server-side/),
    ]);
  });
});
