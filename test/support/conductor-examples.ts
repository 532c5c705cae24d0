import { readFileSync } from 'node:fs';

/** Kitchen-sink tasks a test leaves out (none: every type is on main). */
export const NOT_ON_MAIN_YET = new Set<string>();

/** examples/conductor's kitchen-sink and its child, as written (but for the tasks above). */
export function kitchenSinkFiles(): { path: string; text: string }[] {
  return ['kitchen-sink.json', 'kitchen-sink-child.json'].map((path) => {
    const text = readFileSync(new URL(`../../examples/conductor/${path}`, import.meta.url), 'utf8');
    const def = JSON.parse(text) as { tasks: { taskReferenceName: string }[] };
    def.tasks = def.tasks.filter((t) => !NOT_ON_MAIN_YET.has(t.taskReferenceName));
    return { path, text: JSON.stringify(def, null, 2) };
  });
}
