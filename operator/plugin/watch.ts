/**
 * `run --watch`: follows one instance until it finishes, with a watch on
 * that instance alone (field selector on its name), and shows its progress:
 * redrawn in place on a terminal, one line per change otherwise.
 */
import { TERMINAL_INSTANCE_PHASES } from '../api/dag-instance.ts';
import { DAG_INSTANCE } from '../api/names.ts';
import { DagInstance } from '../api/objects.ts';
import { Informer, type ListPage } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { collectionPath, instanceResource } from '../store/refs.ts';
import type { Connection } from './connect.ts';
import { PluginError } from './errors.ts';
import type { IO } from './io.ts';
import { finalSummary, progressBlock, progressKey, progressLine } from './progress.ts';

const REDRAW_MS = 500;
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

/** Resolves with the finished instance; rejects when it is deleted or the watch is interrupted. */
export function watchInstance(conn: Connection, name: string, io: IO): Promise<DagInstance> {
  const { namespace } = conn;
  return new Promise<DagInstance>((resolve, reject) => {
    const informer = new Informer<KubeObject>(conn.clients.kc, {
      path: collectionPath(DAG_INSTANCE.plural, namespace),
      fieldSelector: `metadata.name=${name}`,
      list: (o) =>
        conn.clients.custom.listNamespacedCustomObject({
          ...instanceResource,
          namespace,
          ...o,
        }) as Promise<ListPage<KubeObject>>,
    });
    let latest: DagInstance | undefined;
    let lastKey: string | undefined;
    let drawn = 0;
    let done = false;
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
    const timer = io.isTTY ? setInterval(draw, REDRAW_MS) : undefined;
    if (io.isTTY) io.out(HIDE_CURSOR);

    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      informer.stop();
      io.signal?.removeEventListener('abort', onAbort);
      if (io.isTTY) io.out(SHOW_CURSOR);
      outcome();
    };
    const onAbort = (): void =>
      finish(() =>
        reject(
          new PluginError(
            `stopped watching daginstance/${name}: it keeps running (kubectl fastflow get ${name} -n ${namespace})`,
            130,
          ),
        ),
      );

    informer.onEvent((ev) => {
      if (done || ev.type === 'resync') return;
      if (ev.type === 'delete') {
        const msg = `daginstance/${name} was deleted while watching it`;
        finish(() => reject(new PluginError(msg)));
        return;
      }
      const parsed = DagInstance.safeParse(ev.obj);
      if (!parsed.success) return;
      latest = parsed.data;
      draw();
      const instance = latest;
      if (TERMINAL_INSTANCE_PHASES.has(instance.status?.phase ?? 'Pending')) {
        finish(() => {
          // On a terminal the summary replaces the progress block.
          if (drawn > 0) io.out(`\x1b[${drawn}F\x1b[J`);
          io.out(`${finalSummary(instance, io.paint).join('\n')}\n`);
          resolve(instance);
        });
      }
    });
    if (io.signal?.aborted) return onAbort();
    io.signal?.addEventListener('abort', onAbort, { once: true });
    informer.start();
    informer.synced().then(
      () => {
        if (!done && informer.list().length === 0) {
          finish(() =>
            reject(new PluginError(`dagi "${name}" not found in namespace "${namespace}"`)),
          );
        }
      },
      () => {},
    );
  });
}
