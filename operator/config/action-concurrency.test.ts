import { describe, expect, it } from 'vitest';
import { OperatorConfig } from '../api/config.ts';
import { loadConfig } from './load.ts';

const load = (value: string | undefined) =>
  loadConfig(
    OperatorConfig,
    { identity: 'op-1' },
    value === undefined ? {} : { FASTFLOW_ACTION_CONCURRENCY: value },
  );

describe('--action-concurrency', () => {
  it('reads action limits as JSON, none by default', () => {
    expect(load(undefined).actionConcurrency).toEqual({});
    expect(load('{"deploy": 2, "http": 10}').actionConcurrency).toEqual({ deploy: 2, http: 10 });
    expect(
      loadConfig(OperatorConfig, { identity: 'op-1', actionConcurrency: '{"a":1}' }, {})
        .actionConcurrency,
    ).toEqual({ a: 1 });
  });

  it.each([
    ['not JSON', 'deploy=2', 'must be a JSON object keyed by action name'],
    ['a negative limit', '{"deploy": -1}', 'deploy: Too small: expected number to be >=1'],
    ['a zero limit', '{"deploy": 0}', 'deploy: Too small'],
    ['a fraction', '{"deploy": 1.5}', 'deploy: Invalid input: expected int'],
    [
      'a list',
      '[2]',
      '--action-concurrency (FASTFLOW_ACTION_CONCURRENCY): Invalid input: expected record',
    ],
    ['an empty action name', '{"": 2}', 'Invalid key in record'],
  ])('refuses %s, naming the setting', (_, value, message) => {
    expect(() => load(value)).toThrow(message);
  });
});

describe('--action-rate', () => {
  const rate = (value: string) =>
    loadConfig(OperatorConfig, { identity: 'op-1' }, { FASTFLOW_ACTION_RATE: value });

  it('reads starts per window as JSON', () => {
    expect(rate('{"http": {"starts": 10, "perSecs": 60}}').actionRate).toEqual({
      http: { starts: 10, perSecs: 60 },
    });
  });

  it.each([
    ['no starts', '{"http": {"starts": 0, "perSecs": 1}}', 'http.starts: Too small'],
    ['a negative window', '{"http": {"starts": 1, "perSecs": -1}}', 'http.perSecs: Too small'],
    ['a bare number', '{"http": 5}', '--action-rate (FASTFLOW_ACTION_RATE): http: Invalid input'],
  ])('refuses %s, naming the setting', (_, value, message) => {
    expect(() => rate(value)).toThrow(message);
  });
});
