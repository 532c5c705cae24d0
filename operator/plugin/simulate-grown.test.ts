import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPluginCaptured } from '../../test/support/plugin-io.ts';

// `kubectl fastflow simulate --fail/--output` naming a fan-out's copy or a loop's iteration.

const dir = mkdtempSync(join(tmpdir(), 'kubectl-fastflow-simulate-grown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dag = join(dir, 'grown.yaml');
writeFileSync(
  dag,
  `tasks:
  - { id: build, actionName: print }
  - { id: fan, actionName: print, dependOn: [build], forEach: { items: '[0, 1, 2]' } }
  - id: poll
    type: loop
    dependOn: [fan]
    loop: { body: [step], while: 'tasks.step.output.again', maxIterations: 5 }
  - { id: step, actionName: print }
`,
);

const run = (args: string[]) =>
  runPluginCaptured(['simulate', dag, ...args], { env: { HOME: dir } });

describe('kubectl fastflow simulate with grown keys', () => {
  it("--fail 'fan[2]' fails that copy", async () => {
    const r = await run(['--fail', 'fan[2]']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/fan\[2\] +fails: failed by --fail fan\[2\] \(every attempt\)/);
    expect(r.code).toBe(1);
  });

  it("--output 'step#2=…' gives that iteration its output, step every other", async () => {
    const r = await run(['--output', 'step={"again":true}', '--output', 'step#2={"again":false}']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/poll +Succeeded/);
    expect(r.stdout).not.toMatch(/step#3/);
  });

  it.each([
    [
      ['--fail', 'nope[1]'],
      '--fail nope[1]: the Dag has no task "nope[1]" (tasks: build, fan, poll, step)',
    ],
    [['--fail', 'build[1]'], '--fail build[1]: task "build" has no forEach: it makes no copies'],
    [
      ['--output', 'build#2=1'],
      `--output build#2=1: task "build" is not in a loop's body: it runs no iterations`,
    ],
  ])('refuses %j, saying why', async (flags, message) => {
    const r = await run(flags);
    expect(r.stderr).toBe(`error: ${message}\n`);
    expect(r.code).toBe(2);
  });
});
