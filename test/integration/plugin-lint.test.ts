/**
 * `kubectl fastflow lint` as a user runs it (see test/support/plugin-cli.ts):
 * every problem of a Dag file with its line, as the operator reports it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { home, lines, plugin, usePluginCluster } from '../support/plugin-cli.ts';

const cluster = usePluginCluster();

describe('kubectl fastflow lint', () => {
  it('accepts a good Dag manifest and a bare fastflow Dag', async () => {
    const manifest = await plugin(['lint', 'examples/diamond/dag.yaml'], { KUBECONFIG: undefined });
    expect(manifest).toEqual({
      code: 0,
      stdout: 'examples/diamond/dag.yaml: ok: Dag "diamond" with 4 tasks\n',
      stderr: '',
    });
    const bare = await plugin(['lint', 'test/fixtures/fastflow-seed-dag.yaml'], {
      KUBECONFIG: undefined,
    });
    expect(bare.code).toBe(0);
  });

  it('prints every problem of a bad file with its path and line, exit 1', async () => {
    const file = join(home, 'bad-dag.yaml');
    writeFileSync(
      file,
      `apiVersion: fastflow.io/v1alpha1
kind: Dag
metadata:
  name: bad
spec:
  tasks:
    - id: a
      actionName: print
      dependsOn: [b]
    - id: b
      actionName: print
      dependOn: [c, ghost]
    - id: c
      actionName: print
      dependOn: [b]
`,
    );
    const r = await plugin(['lint', file], { KUBECONFIG: undefined });
    expect(r.code).toBe(1);
    expect(lines(r.stdout)).toEqual([
      `${file}:6:3: spec.tasks: tasks form a cycle: b -> c -> b`,
      `${file}:9:7: spec.tasks[0].dependsOn: unknown field "dependsOn" (did you mean "dependOn"?)`,
      `${file}:12:21: spec.tasks[1].dependOn[1]: task "b" depends on "ghost", which is not a task of this Dag`,
      `${file}: 3 problems`,
    ]);
    // What the operator says about the same Dag, once admission lets it in.
    const fixed = readFileSync(file, 'utf8').replace('dependsOn', 'dependOn');
    await cluster.env.kubectl(['apply', '-f', '-'], fixed);
    type DagStatus = { valid?: boolean; message?: string } | undefined;
    const status = async (): Promise<DagStatus> =>
      (await cluster.env.getDag('bad'))['status'] as DagStatus;
    await expect.poll(async () => (await status())?.valid, { timeout: 10_000 }).toBe(false);
    const message = (await status())?.message ?? '';
    expect(message).toContain('spec.tasks[1].dependOn[1]: task "b" depends on "ghost"');
    expect(message).toContain('spec.tasks: tasks form a cycle: b -> c -> b');
  });
});
