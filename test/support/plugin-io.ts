import { makePaint } from '../../operator/plugin/color.ts';
import type { IO } from '../../operator/plugin/io.ts';
import { runPlugin } from '../../operator/plugin/program.ts';

/**
 * The plugin run in-process with a fake terminal (no colour, not a TTY) and
 * a fixed clock: its exit code and what it wrote on stdout and stderr.
 */
export async function runPluginCaptured(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; now?: Date; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: IO = {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    isTTY: false,
    columns: 0,
    paint: makePaint(false),
    errPaint: makePaint(false),
    env: options.env ?? {},
    now: () => options.now ?? new Date('2025-01-01T00:00:00Z'),
  };
  const { stdin } = options;
  const code = await runPlugin(
    args,
    io,
    stdin === undefined ? undefined : () => Promise.resolve(stdin),
  );
  return { code, stdout, stderr };
}
