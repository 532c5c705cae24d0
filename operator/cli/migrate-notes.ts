/**
 * Notes on a converted fastflow Dag: behaviour fastflow had that the Dag
 * keeps, or changes, with no action needed unless the note says so.
 */
import type { DagSpec } from '../api/dag.ts';
import { formatPath } from '../api/field-path.ts';
import type { Finding } from './migrate-findings.ts';

/**
 * Behaviour fastflow had that the schema does not default the same way: a
 * declared var without a default was the empty string (here it must be given
 * when the instance is created), so `defaultValue: ""` is written.
 */
export function withFastflowDefaults(spec: DagSpec, notes: Finding[], file: string): DagSpec {
  if (!spec.vars) return spec;
  const vars = Object.fromEntries(
    Object.entries(spec.vars).map(([name, def]) => {
      if (def.defaultValue !== undefined) return [name, def];
      notes.push({
        file,
        path: formatPath(['vars', name]),
        message:
          'no defaultValue: fastflow used "" when none was given; written as defaultValue: ""',
      });
      return [name, { ...def, defaultValue: '' }];
    }),
  );
  return { ...spec, vars };
}

export function addNotes(spec: DagSpec, notes: Finding[], file: string): void {
  if (spec.cron) {
    notes.push({
      file,
      path: 'cron',
      message:
        'kept, but nothing schedules it (fastflow ignored it too): create instances yourself',
    });
  }
  const unlimited = spec.tasks.filter((t) => !t.timeoutSecs).map((t) => t.id);
  if (unlimited.length > 0) {
    const shown = unlimited.slice(0, 5).join(', ') + (unlimited.length > 5 ? ', ...' : '');
    notes.push({
      file,
      path: 'tasks',
      message:
        `no timeoutSecs on ${shown}: fastflow stopped such a task after its executor default ` +
        '(30 s); here it has no time limit. Add timeoutSecs: 30 to keep the old limit',
    });
  }
  spec.tasks.forEach((t, i) => {
    if (Array.isArray(t.preCheck)) {
      notes.push({
        file,
        path: formatPath(['tasks', i, 'preCheck']),
        message:
          'a list of checks: fastflow could not load this shape (it wants a map keyed by check name); fastflow.io accepts both',
      });
    }
  });
}
