/** The plugin's commands; each resolves with its exit code. */
import { readFile } from 'node:fs/promises';
import { withReferencedValues } from '../../actions-runtime/client/outputs.ts';
import { TaskId } from '../api/dag.ts';
import { DagInstance } from '../api/objects.ts';
import { TaskShardStore } from '../store/task-shards.ts';
import { TraceStore } from '../store/traces.ts';
import { instanceResource } from '../api/names.ts';
import { kubeCall } from '../kube/errors.ts';
import { phaseStyle } from './color.ts';
import { checkName, connect, type ClusterFlags, type Connection } from './connect.ts';
import { PluginError, UsageError } from './errors.ts';
import {
  formatObjects,
  instanceDetails,
  instanceElapsed,
  instanceTable,
  outputFormat,
} from './get.ts';
import { childLoader, dagNotFound, getDagSpec, getInstance, instanceGraph } from './instance.ts';
import { withChildTasks } from './sub-dag-tree.ts';
import type { IO } from './io.ts';
import { formatLint, lintText } from './lint.ts';
import { formatTraces, orderTraces } from './logs.ts';
import { renderTree, treeRows } from './tree.ts';
import { checkVarsAgainstDag, parseVars } from './vars.ts';
import { followInstance } from './watch.ts';

export function open(flags: ClusterFlags, io: IO): Connection {
  const conn = connect(flags, io.env);
  io.connected?.(conn.server);
  return conn;
}

const print = (io: IO, lines: readonly string[]): void => {
  if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
};

export type RunFlags = ClusterFlags & {
  var?: string[];
  name?: string;
  watch?: boolean;
  idempotencyKey?: string;
};

export async function runCommand(dag: string, flags: RunFlags, io: IO): Promise<number> {
  const vars = parseVars(flags.var ?? []);
  checkName('Dag name', dag);
  if (flags.name !== undefined) checkName('--name', flags.name);
  const conn = open(flags, io);
  // The vars are checked against the Dag before anything is created, in the
  // flags' terms; runDag checks everything again (stopped, invalid Dag).
  const found = await getDagSpec(conn, dag);
  if ('missing' in found) throw dagNotFound(dag, conn.namespace);
  if ('spec' in found) {
    const problem = checkVarsAgainstDag(dag, found.spec.vars, vars);
    if (problem) throw new PluginError(problem);
  }
  const { name, created } = await conn.client.startDag(dag, vars, {
    namespace: conn.namespace,
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.idempotencyKey !== undefined ? { idempotencyKey: flags.idempotencyKey } : {}),
  });
  // As kubectl says of an object it finds as asked: nothing was created.
  io.out(
    `daginstance.fastflow.io/${name} ${created ? 'created' : 'unchanged (idempotency key used before)'}\n`,
  );
  if (!flags.watch) return 0;
  const done = await followInstance(conn, name, io);
  return done.status?.phase === 'Succeeded' ? 0 : 1;
}

async function listInstances(conn: Connection): Promise<DagInstance[]> {
  const items: DagInstance[] = [];
  let token: string | undefined;
  do {
    type Page = { items?: unknown[]; metadata?: { continue?: string; _continue?: string } };
    const page = (await kubeCall(() =>
      conn.clients.custom.listNamespacedCustomObject({
        ...instanceResource,
        namespace: conn.namespace,
        limit: 500,
        ...(token ? { _continue: token } : {}),
      }),
    )) as Page;
    for (const raw of page.items ?? []) {
      const parsed = DagInstance.safeParse(raw);
      if (parsed.success) items.push(parsed.data);
    }
    token = page.metadata?.continue || page.metadata?._continue || undefined;
  } while (token);
  return items;
}

export type GetFlags = ClusterFlags & { output?: string };

export async function getCommand(
  name: string | undefined,
  flags: GetFlags,
  io: IO,
): Promise<number> {
  if (name !== undefined) checkName('instance name', name);
  const format = outputFormat(flags.output);
  const conn = open(flags, io);
  if (format !== undefined) {
    // The client's get reads the shards already; a list reads each instance's.
    const shards = new TaskShardStore(conn.clients.custom);
    const shown =
      name === undefined
        ? await Promise.all(
            (await listInstances(conn)).map(async (i) =>
              withReferencedValues(conn.clients, await shards.whole(i)),
            ),
          )
        : await getInstance(conn, name);
    io.out(formatObjects(shown, format));
    return 0;
  }
  if (name === undefined) {
    const instances = await listInstances(conn);
    if (instances.length === 0) {
      io.err(`No resources found in ${conn.namespace} namespace.\n`);
      return 0;
    }
    print(io, instanceTable(instances, io.now(), io.paint));
    return 0;
  }
  const instance = await getInstance(conn, name);
  const graph = await instanceGraph(conn, instance);
  if (!('graph' in graph)) {
    print(io, instanceDetails(instance, graph, io.now(), io.paint));
    return 0;
  }
  // The tasks of subDag children show as `<task>/<child task>` after their task.
  const all = await withChildTasks(childLoader(conn), instance, graph.graph);
  const shown = { ...instance, status: { ...instance.status, tasks: all.tasks } };
  const view = { order: all.graph.order, source: graph.source };
  print(io, instanceDetails(shown, view, io.now(), io.paint));
  return 0;
}

export async function treeCommand(name: string, flags: ClusterFlags, io: IO): Promise<number> {
  checkName('instance name', name);
  const conn = open(flags, io);
  const instance = await getInstance(conn, name);
  const graph = await instanceGraph(conn, instance);
  if (!('graph' in graph)) throw new PluginError(`cannot draw dagi "${name}": ${graph.problem}`);
  const phase = instance.status?.phase ?? 'Pending';
  const now = io.now();
  const head = [
    io.paint('bold', `daginstance/${name}`),
    io.paint('dim', `(dag ${instance.spec.dagRef.name})`),
    io.paint(phaseStyle(phase), phase),
    instance.status?.progress ?? '',
    instanceElapsed(instance, now),
  ]
    .filter((c) => c !== '')
    .join('  ');
  const all = await withChildTasks(childLoader(conn), instance, graph.graph);
  const rows = treeRows(all.graph, all.tasks, now);
  print(io, [head, ...renderTree(rows, io.paint)]);
  return 0;
}

export async function logsCommand(
  name: string,
  task: string | undefined,
  flags: ClusterFlags,
  io: IO,
): Promise<number> {
  checkName('instance name', name);
  if (task !== undefined && !TaskId.safeParse(task).success) {
    throw new UsageError(`${JSON.stringify(task)} is not a task id`);
  }
  const conn = open(flags, io);
  const instance = await getInstance(conn, name);
  const graph = await instanceGraph(conn, instance);
  const order = 'graph' in graph ? graph.graph.order : undefined;
  if (task !== undefined && order && !order.includes(task)) {
    throw new PluginError(
      `dagi "${name}" has no task "${task}" (tasks: ${order.slice(0, 20).join(', ')}${order.length > 20 ? ', …' : ''})`,
    );
  }
  const traces = orderTraces(
    await new TraceStore(conn.clients.core).read({ namespace: conn.namespace, name }, task),
    order,
  );
  if (traces.length === 0) {
    const what = task ? `task "${task}" of dagi "${name}"` : `dagi "${name}"`;
    io.err(`No traces for ${what}: no attempt has called ctx.trace yet.\n`);
    return 0;
  }
  print(io, formatTraces(traces, instance.status?.tasks ?? {}, io.paint));
  return 0;
}

export async function lintCommand(
  file: string,
  io: IO,
  stdin?: () => Promise<string>,
): Promise<number> {
  let text: string;
  try {
    text = file === '-' && stdin ? await stdin() : await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : String((e as Error).message);
    throw new PluginError(`cannot read ${file}: ${why}`);
  }
  const result = lintText(text);
  print(io, formatLint(file === '-' ? '<stdin>' : file, result, io.paint));
  return result.problems.length > 0 ? 1 : 0;
}
