/**
 * `run --watch`: follows one instance until it finishes, with the client's
 * watch on that instance alone, and shows its progress: redrawn in place on
 * a terminal, one line per change otherwise.
 */
import { FastflowClientError } from '../../actions-runtime/client/errors.ts';
import { watchInstance } from '../../actions-runtime/client/wait.ts';
import { instanceFinished } from '../api/dag-instance.ts';
import type { DagInstance } from '../api/objects.ts';
import { silentLogger } from '../log.ts';
import type { Connection } from './connect.ts';
import { PluginError } from './errors.ts';
import type { IO } from './io.ts';
import { finalSummary, progressBlock, progressKey, progressLine } from './progress.ts';

const REDRAW_MS = 500;
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** Resolves with the finished instance; rejects when it is deleted or the watch is interrupted. */
export async function followInstance(conn: Connection, name: string, io: IO): Promise<DagInstance> {
  const { namespace } = conn;
  let latest: DagInstance | undefined;
  let lastKey: string | undefined;
  let drawn = 0;
  const started = io.now().getTime();

  const draw = (): void => {
    if (!latest) return;
    const now = io.now();
    if (!io.isTTY) {
      const key = progressKey(latest);
      if (key !== undefined && key !== lastKey) {
        io.out(`${progressLine(latest, now.getTime() - started, io.paint)}\n`);
        lastKey = key;
      }
      return;
    }
    const lines = progressBlock(latest, now, io.paint, io.columns);
    const up = drawn > 0 ? `\x1b[${drawn}F` : '';
    io.out(`${up}\x1b[J${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const finished = (instance: DagInstance): DagInstance | undefined => {
    latest = instance;
    draw();
    return instanceFinished(instance.status?.phase) ? instance : undefined;
  };

  const timer = io.isTTY ? setInterval(draw, REDRAW_MS) : undefined;
  if (io.isTTY) io.out(HIDE_CURSOR);
  let instance: DagInstance;
  try {
    instance = await watchInstance(conn.clients, silentLogger(), { namespace, name }, finished, {
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (e) {
    throw pluginError(e, name, namespace, io.signal);
  } finally {
    clearInterval(timer);
    if (io.isTTY) io.out(SHOW_CURSOR);
  }
  // On a terminal the summary replaces the progress block.
  if (drawn > 0) io.out(`\x1b[${drawn}F\x1b[J`);
  io.out(`${finalSummary(instance, io.paint).join('\n')}\n`);
  return instance;
}

/** Why following stopped, in kubectl's terms. */
function pluginError(
  e: unknown,
  name: string,
  namespace: string,
  signal: AbortSignal | undefined,
): unknown {
  if (signal?.aborted) {
    return new PluginError(
      `stopped watching daginstance/${name}: it keeps running (kubectl fastflow get ${name} -n ${namespace})`,
      130,
    );
  }
  if (!(e instanceof FastflowClientError)) return e;
  if (e.reason === 'Deleted')
    return new PluginError(`daginstance/${name} was deleted while watching it`);
  if (e.reason === 'NotFound') {
    return new PluginError(`dagi "${name}" not found in namespace "${namespace}"`);
  }
  return e;
}
