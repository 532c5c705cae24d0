/**
 * `kubectl fastflow run --watch` as a user runs it (see test/support/plugin-cli.ts):
 * plain lines when stdout is not a terminal, colour and in-place redraws
 * under a pseudo-terminal.
 */
import { describe, expect, it } from 'vitest';
import { stripColor } from '../../operator/plugin/color.ts';
import {
  hasScript,
  lines,
  plugin,
  pluginInTerminal,
  usePluginCluster,
} from '../support/plugin-cli.ts';

const cluster = usePluginCluster();

describe('kubectl fastflow run --watch', () => {
  it('follows an instance to Succeeded, one plain line per change, exit 0', async () => {
    const r = await plugin([
      'run',
      'diamond',
      '-n',
      cluster.ns,
      '--var',
      'who=plugin',
      '--name',
      'dia-1',
      '-w',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('daginstance.fastflow.io/dia-1 created');
    expect(r.stdout).not.toContain('\x1b');
    const progress = out.slice(1, -1);
    for (const line of progress) {
      expect(line).toMatch(
        /^ *\+\S+ {2}(Pending|Running|Succeeded) +(-|\d\/4)( +(running|failed|waiting)\b.*)?$/,
      );
    }
    // Tasks this short may be seen only Scheduled or already done: the instance is seen Running.
    expect(progress.some((l) => /Running +\d\/4/.test(l))).toBe(true);
    expect(progress.at(-1)).toMatch(/Succeeded {2}4\/4$/);
    // One line per change: no line repeats the one before it.
    const states = progress.map((l) => l.replace(/^ *\+\S+/, ''));
    expect(states.filter((s, i) => s === states[i - 1])).toEqual([]);
    expect(out.at(-1)).toMatch(/^daginstance\/dia-1 Succeeded: 4\/4 tasks finished in \S+$/);
  });

  it('exits 1 when the instance fails, naming the failed task and what to do', async () => {
    const r = await plugin(['run', 'shaky', '-n', cluster.ns, '--name', 'shaky-1', '--watch']);
    expect(r.code).toBe(1);
    const out = lines(r.stdout);
    expect(out.slice(-4)).toEqual([
      expect.stringMatching(/^daginstance\/shaky-1 Failed: 1\/2 tasks finished in \S+$/),
      '  shaky  Failed  ActionFailed: attempt 1 fails on purpose',
      '  traces: kubectl fastflow logs shaky-1 shaky',
      '  retry:  kubectl fastflow retry shaky-1',
    ]);
  });

  it.skipIf(!hasScript)('redraws the progress in place, in colour, on a terminal', async () => {
    const r = await pluginInTerminal([
      'run',
      'diamond',
      '-n',
      cluster.ns,
      '--name',
      'dia-tty',
      '-w',
    ]);
    expect(r.code).toBe(0);
    const raw = r.stdout;
    expect(raw).toContain('\x1b[?25l'); // cursor hidden while drawing
    expect(raw).toContain('\x1b[?25h'); // and shown again
    expect(raw).toMatch(/\x1b\[\d+F\x1b\[J/); // the block is redrawn in place
    expect(raw).toContain('\x1b[1mdaginstance/dia-tty\x1b[22m');
    expect(raw).toContain('\x1b[32mSucceeded\x1b[39m: 4/4 tasks finished in');
    expect(stripColor(raw.replace(/\x1b\[(\?25[lh]|\d*F|J)/g, ''))).toMatch(
      /daginstance\/dia-tty Succeeded: 4\/4 tasks finished in \S+\r?\n$/,
    );
  });
});
