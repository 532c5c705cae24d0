import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.ts';

describe('parseOptions', () => {
  it('runs R1–R6 at full size by default', () => {
    expect(parseOptions([])).toMatchObject({
      scenarios: ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'],
      sizes: { instances: 200 },
      soakMinutes: 0,
    });
  });

  it('has a short profile of R1, R2 and R6 on fewer instances', () => {
    expect(parseOptions(['--profile', 'short'])).toMatchObject({
      scenarios: ['R1', 'R2', 'R6'],
      sizes: { instances: 40 },
    });
  });

  it('picks scenarios in suite order, and runs the soak alone with --soak', () => {
    expect(parseOptions(['--scenarios', 'r6,R1'])).toMatchObject({ scenarios: ['R1', 'R6'] });
    expect(parseOptions(['--soak', '30'])).toMatchObject({ scenarios: ['R7'], soakMinutes: 30 });
  });

  it('refuses what it cannot run, naming the flag', () => {
    expect(() => parseOptions(['--scenarios', 'R9'])).toThrow('--scenarios: R9?');
    expect(() => parseOptions(['--scenarios', 'R7'])).toThrow('R7 needs --soak MINUTES');
    expect(() => parseOptions(['--instances', '-3'])).toThrow('--instances');
    expect(() => parseOptions(['--profile', 'long'])).toThrow('--profile');
  });
});
