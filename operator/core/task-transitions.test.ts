import { describe, expect, it } from 'vitest';
import {
  ACTIVE_TASK_PHASES,
  TASK_PHASES,
  TERMINAL_TASK_PHASES,
  type TaskPhase,
} from '../api/dag-instance.ts';
import {
  OPERATOR_EVENTS,
  TASK_TRANSITIONS,
  TaskTransitionRefused,
  WORKER_EVENTS,
  canApply,
  nextPhase,
  senderOf,
  transition,
  type TaskEvent,
} from './task-transitions.ts';

const EVENTS: readonly TaskEvent[] = [...OPERATOR_EVENTS, ...WORKER_EVENTS];
const rows = EVENTS.flatMap((event) =>
  TASK_TRANSITIONS[event].from.map((from) => ({ from, event, to: TASK_TRANSITIONS[event].to })),
);
const pairs = TASK_PHASES.flatMap((from) => EVENTS.map((event) => ({ from, event })));
const inTable = ({ from, event }: { from: TaskPhase; event: TaskEvent }): boolean =>
  rows.some((r) => r.from === from && r.event === event);

describe('the task transition table', () => {
  it('has one row per event, sent by the operator or by a worker', () => {
    expect(Object.keys(TASK_TRANSITIONS).sort()).toEqual([...EVENTS].sort());
    for (const e of OPERATOR_EVENTS) expect(senderOf(e), e).toBe('operator');
    for (const e of WORKER_EVENTS) expect(senderOf(e), e).toBe('worker');
  });

  it.each(rows)('applies $event in $from: $to', ({ from, event, to }) => {
    expect(canApply(from, event)).toBe(true);
    expect(nextPhase(from, event)).toBe(to);
    const entry = { phase: from, worker: 'w1', attempt: 2 };
    expect(transition(entry, event, { ...entry, message: 'why' })).toEqual({
      phase: to,
      worker: 'w1',
      attempt: 2,
      message: 'why',
    });
  });

  it.each(pairs.filter((p) => !inTable(p)))('refuses $event in $from', ({ from, event }) => {
    expect(canApply(from, event)).toBe(false);
    expect(() => nextPhase(from, event)).toThrow(TaskTransitionRefused);
    expect(() => transition({ phase: from }, event, {})).toThrow(
      `task transition refused: ${event} in phase ${from}`,
    );
    try {
      nextPhase(from, event);
    } catch (e) {
      expect(e).toMatchObject({ name: 'TaskTransitionRefused', from, event });
    }
  });

  it('takes a task absent from status.tasks for Pending', () => {
    expect(transition(undefined, 'Assigned', { worker: 'w1', attempt: 1 })).toEqual({
      phase: 'Scheduled',
      worker: 'w1',
      attempt: 1,
    });
    expect(() => transition(undefined, 'AttemptStarted', {})).toThrow(TaskTransitionRefused);
  });

  it('lets a worker move only an attempt it holds', () => {
    for (const e of WORKER_EVENTS) {
      for (const from of TASK_TRANSITIONS[e].from) expect(ACTIVE_TASK_PHASES.has(from)).toBe(true);
    }
  });

  it('leaves a terminal phase only by a retry, or a rerun or restart asked for', () => {
    for (const { from, event } of rows.filter((r) => TERMINAL_TASK_PHASES.has(r.from))) {
      const allowed = ['RetryAllowed', 'RetryRequested', 'RerunRequested'];
      expect(allowed, `${event} in ${from}`).toContain(event);
    }
    const done = rows.filter((r) => r.from === 'Succeeded' || r.from === 'Skipped');
    expect(new Set(done.map((r) => r.event))).toEqual(new Set(['RerunRequested']));
  });

  it('reaches every phase from Pending', () => {
    const seen = new Set<TaskPhase>(['Pending']);
    for (let grew = true; grew;) {
      const next = rows.filter((r) => seen.has(r.from) && !seen.has(r.to));
      for (const r of next) seen.add(r.to);
      grew = next.length > 0;
    }
    expect([...seen].sort()).toEqual([...TASK_PHASES].sort());
  });
});
