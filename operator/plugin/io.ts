/** Where the plugin writes, and what it knows about the terminal: swapped in tests. */
import { colorEnabled, makePaint, type Paint } from './color.ts';

export type IO = {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal: progress is redrawn in place. */
  isTTY: boolean;
  /** Width of the terminal (0: unknown, nothing is cut). */
  columns: number;
  /** Colour for stdout and for stderr. */
  paint: Paint;
  errPaint: Paint;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  /** Aborted on Ctrl-C: a watch stops and says the instance keeps running. */
  signal?: AbortSignal;
  /** Told the API server address once a command has picked its cluster (named in errors). */
  connected?: (server: string) => void;
};

export function processIO(signal?: AbortSignal): IO {
  const env = process.env;
  const isTTY = process.stdout.isTTY === true;
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    isTTY,
    columns: isTTY ? (process.stdout.columns ?? 0) : 0,
    paint: makePaint(colorEnabled(isTTY, env)),
    errPaint: makePaint(colorEnabled(process.stderr.isTTY === true, env)),
    env,
    now: () => new Date(),
    ...(signal ? { signal } : {}),
  };
}

/** All of stdin, for a file argument "-". */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
