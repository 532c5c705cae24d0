/** Progress logging and log-file tails shared by the control-plane modules. */
import { readFile } from 'node:fs/promises';

/** Lines of a failing process's output quoted in errors. */
export const LOG_TAIL_LINES = 30;

export const defaultLog = (msg: string): void => {
  process.stderr.write(`fastflow: ${msg}\n`);
};

/** The last `lines` lines of the log file at `path`, or `(no log)`. */
export async function logTail(path: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
