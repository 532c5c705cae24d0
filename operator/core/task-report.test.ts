import { describe, expect, it } from 'vitest';
import { MAX_RESULT_MESSAGE } from '../api/task-result.ts';
import {
  mergeResults,
  refusedResult,
  resultBytes,
  resultOf,
  type AttemptReport,
} from './task-report.ts';
import { TaskTransitionRefused } from './task-transitions.ts';

const W = 'w1-abcde';
const T = '2026-05-01T10:00:00.000Z';

function report(over: Partial<AttemptReport> = {}): AttemptReport {
  return {
    task: 'a',
    worker: W,
    attempt: 2,
    event: 'AttemptStarted',
    set: { startedAt: T },
    ...over,
  };
}

describe('resultOf', () => {
  it('takes the phase from the transition table for the event after the last phase', () => {
    expect(resultOf(report(), 'Scheduled')).toEqual({ phase: 'Running', startedAt: T });
    expect(resultOf(report({ event: 'AttemptSucceeded', set: {} }), 'Running')).toEqual({
      phase: 'Succeeded',
    });
  });

  it('refuses an event the table has no row for after the last phase', () => {
    expect(() => resultOf(report(), 'Running')).toThrow(TaskTransitionRefused);
  });

  it('carries output and params as JSON text, and leaves out what is unset', () => {
    const r = report({
      event: 'AttemptSucceeded',
      set: { finishedAt: T, output: { n: 1 }, params: ['x'], message: undefined },
    });
    expect(resultOf(r, 'Scheduled')).toEqual({
      phase: 'Succeeded',
      finishedAt: T,
      output: '{"n":1}',
      params: '["x"]',
    });
  });

  it('cuts a long message to what the schema takes, and only the message', () => {
    const r = report({
      event: 'AttemptFailed',
      set: { reason: 'ActionFailed', message: 'x'.repeat(5000) },
    });
    const result = resultOf(r, 'Running');
    expect(result.message).toHaveLength(MAX_RESULT_MESSAGE);
    expect(MAX_RESULT_MESSAGE).toBe(1024);
    expect(result.reason).toBe('ActionFailed');
  });

  it('carries the names of the data object holding a larger output and params', () => {
    const r = report({
      event: 'AttemptSucceeded',
      set: { finishedAt: T, outputRef: 'i-d1-1', paramsRef: 'i-d1-1' },
    });
    expect(resultOf(r, 'Running')).toEqual({
      phase: 'Succeeded',
      finishedAt: T,
      outputRef: 'i-d1-1',
      paramsRef: 'i-d1-1',
    });
  });
});

describe('mergeResults', () => {
  it('lets the later fields win and keeps the earlier ones', () => {
    expect(
      mergeResults({ phase: 'Running', startedAt: T }, { phase: 'Succeeded', finishedAt: T }),
    ).toEqual({ phase: 'Succeeded', startedAt: T, finishedAt: T });
  });
});

describe('refusedResult', () => {
  it('fails the attempt with ResultRefused, quoting the API server, without output or params', () => {
    const refused = { phase: 'Succeeded' as const, startedAt: T, finishedAt: T, output: '"x"' };
    expect(refusedResult(refused, 'spec.results.a@1.output: Too long', new Date(T))).toEqual({
      phase: 'Failed',
      startedAt: T,
      finishedAt: T,
      reason: 'ResultRefused',
      message: 'the API server refused to store the result: spec.results.a@1.output: Too long',
    });
  });
});

describe('resultBytes', () => {
  it('counts the key and the JSON of the entry', () => {
    expect(resultBytes('a@1', { phase: 'Running' })).toBe(3 + '{"phase":"Running"}'.length);
  });
});
