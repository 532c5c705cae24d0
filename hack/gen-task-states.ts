// Writes the tables of docs/task-states.md that have a source in code: the task reasons
// (operator/api/task-reason.ts) and the task transitions (operator/core/task-transitions.ts),
// each between its marker comments. Run by `npm run gen:crds`; a unit test fails when stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_REASON_INFO, TaskReason } from '../operator/api/task-reason.ts';
import { TASK_TRANSITIONS, senderOf, type TaskEvent } from '../operator/core/task-transitions.ts';

export const TASK_STATES_DOC = join(import.meta.dirname, '..', 'docs', 'task-states.md');

const code = (s: string): string => `\`${s}\``;

function reasonsTable(): string[] {
  const retried = (r: boolean | undefined): string =>
    r === undefined ? '(not a failure)' : r ? 'yes' : 'no';
  return [
    '| reason | meaning | a `Failed` task with it is retried |',
    '|---|---|---|',
    ...TaskReason.options.map((reason) => {
      const info = TASK_REASON_INFO[reason];
      return `| ${code(reason)} | ${info.description} | ${retried(info.retryable)} |`;
    }),
  ];
}

function transitionsTable(): string[] {
  return [
    '| from | event | to | who | when |',
    '|---|---|---|---|---|',
    ...(Object.keys(TASK_TRANSITIONS) as TaskEvent[]).map((event) => {
      const t = TASK_TRANSITIONS[event];
      const from = t.from.map(code).join(' / ');
      return `| ${from} | ${code(event)} | ${code(t.to)} | ${senderOf(event)} | ${t.when} |`;
    }),
  ];
}

const SECTIONS: Record<string, () => string[]> = {
  reasons: reasonsTable,
  transitions: transitionsTable,
};

/** The doc with each generated section replaced by its table; throws when a marker is missing. */
export function renderTaskStates(doc: string): string {
  let out = doc;
  for (const [name, table] of Object.entries(SECTIONS)) {
    const begin = `<!-- generated: task ${name} (npm run gen:crds) -->\n`;
    const end = `<!-- end generated: task ${name} -->`;
    const from = out.indexOf(begin);
    const to = out.indexOf(end, from);
    if (from < 0 || to < 0) throw new Error(`docs/task-states.md: no ${begin.trim()} … ${end}`);
    out = `${out.slice(0, from + begin.length)}${table().join('\n')}\n${out.slice(to)}`;
  }
  return out;
}

if (import.meta.main) {
  writeFileSync(TASK_STATES_DOC, renderTaskStates(readFileSync(TASK_STATES_DOC, 'utf8')));
  console.log('wrote docs/task-states.md');
}
