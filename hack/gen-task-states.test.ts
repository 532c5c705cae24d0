import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TaskReason } from '../operator/api/task-reason.ts';
import { TASK_TRANSITIONS } from '../operator/core/task-transitions.ts';
import { TASK_STATES_DOC, renderTaskStates } from './gen-task-states.ts';

describe('docs/task-states.md', () => {
  const doc = readFileSync(TASK_STATES_DOC, 'utf8');

  it('has the reason and transition tables of the code', () => {
    // On failure: run `npm run gen:crds` and commit docs/task-states.md.
    expect(doc, 'docs/task-states.md is stale: run `npm run gen:crds`').toBe(renderTaskStates(doc));
  });

  it('shows every reason and every event', () => {
    for (const reason of TaskReason.options) expect(doc).toContain(`| \`${reason}\` |`);
    for (const event of Object.keys(TASK_TRANSITIONS)) expect(doc).toContain(`| \`${event}\` |`);
  });

  it('refuses a doc without the markers rather than losing a table', () => {
    expect(() => renderTaskStates('# Task states\n')).toThrow(/no <!-- generated: task reasons/);
  });
});
