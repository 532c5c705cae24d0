/** `npm run faults -- [options]`: which scenarios, at which sizes, and where the figures go. */
import { parseArgs } from 'node:util';

const SCENARIOS = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'] as const;
export type ScenarioId = (typeof SCENARIOS)[number];

export type Sizes = {
  /** Instances in flight when the fault hits (R1–R5). */
  instances: number;
  /** Worker processes (the SDK example worker). */
  workers: number;
  workerConcurrency: number;
  /** Seconds each `sleep` task of the load's Dag takes. */
  taskSeconds: number;
  /** An instance without progress this long after the faults ended is stuck. */
  stuckSecs: number;
  /** A scenario gives up waiting this long after its faults ended. */
  settleSecs: number;
  /**
   * Worker and operator Lease durations (seconds). Workers: the product's default (10 s). The
   * operator: 10 s, not the product's 15 s: a standby takes over 0–2 retry periods after the
   * Lease expires on its clock, so with 15 s it is 15–17 s after a kill -9, past R1's 15 s bound.
   */
  workerLeaseSecs: number;
  operatorLeaseSecs: number;
};

export type FaultOptions = {
  scenarios: ScenarioId[];
  sizes: Sizes;
  soakMinutes: number;
  json: string | undefined;
  keepLogs: boolean;
  /** Write R6's table of bad inputs and observed messages to docs/faults.md. */
  updateDocs: boolean;
};

const FULL: Sizes = {
  instances: 200,
  workers: 3,
  workerConcurrency: 16,
  taskSeconds: 1,
  stuckSecs: 60,
  settleSecs: 300,
  workerLeaseSecs: 10,
  operatorLeaseSecs: 10,
};

/** Small and fast, for CI: R1, R2 and R6 on a few dozen instances. */
const SHORT: Sizes = { ...FULL, instances: 40, workers: 2, stuckSecs: 45, settleSecs: 120 };

const NUMBER_FLAGS: Record<string, keyof Sizes> = {
  instances: 'instances',
  workers: 'workers',
  'worker-concurrency': 'workerConcurrency',
  'task-seconds': 'taskSeconds',
  'stuck-secs': 'stuckSecs',
  'settle-secs': 'settleSecs',
  'worker-lease-secs': 'workerLeaseSecs',
  'operator-lease-secs': 'operatorLeaseSecs',
};

export function usage(): string {
  return [
    'usage: npm run faults -- [options]',
    '  --scenarios R1,R2,…      which scenarios (default R1–R6; R7 with --soak)',
    '  --profile short|full     short: R1, R2, R6 at small sizes, for CI (default full)',
    '  --soak MINUTES           run R7, the soak, for that long',
    '  --json FILE              write the figures as one JSON object',
    '  --update-docs            write R6 table of bad inputs and messages to docs/faults.md',
    '  --keep-logs              keep the processes logs even when every scenario passed',
    ...Object.entries(NUMBER_FLAGS).map(
      ([flag, key]) => `  --${flag} N`.padEnd(27) + `(full ${FULL[key]}, short ${SHORT[key]})`,
    ),
  ].join('\n');
}

export function parseOptions(argv: string[]): FaultOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenarios: { type: 'string' },
      profile: { type: 'string' },
      soak: { type: 'string' },
      json: { type: 'string' },
      'update-docs': { type: 'boolean' },
      'keep-logs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((f) => [f, { type: 'string' as const }])),
    },
    strict: true,
  });
  const v = values as Record<string, string | boolean | undefined>;
  if (v['help'] === true) return 'help';
  const profile = (v['profile'] as string | undefined) ?? 'full';
  if (profile !== 'full' && profile !== 'short') throw new Error(`--profile: ${profile}?`);
  const sizes: Sizes = { ...(profile === 'short' ? SHORT : FULL) };
  for (const [flag, key] of Object.entries(NUMBER_FLAGS)) {
    const raw = v[flag] as string | undefined;
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag}: not a positive number: ${raw}`);
    sizes[key] = n;
  }
  const soakRaw = v['soak'] as string | undefined;
  const soakMinutes = soakRaw === undefined ? 0 : Number(soakRaw);
  if (!(soakMinutes >= 0)) throw new Error(`--soak: not a number of minutes: ${soakRaw ?? ''}`);
  const defaults: ScenarioId[] =
    profile === 'short' ? ['R1', 'R2', 'R6'] : ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'];
  let scenarios = defaults;
  const listed = v['scenarios'] as string | undefined;
  if (listed !== undefined) {
    scenarios = listed.split(',').map((s) => {
      const id = s.trim().toUpperCase();
      if (!(SCENARIOS as readonly string[]).includes(id)) throw new Error(`--scenarios: ${s}?`);
      return id as ScenarioId;
    });
  } else if (soakMinutes > 0) scenarios = ['R7'];
  if (scenarios.includes('R7') && soakMinutes === 0) throw new Error('R7 needs --soak MINUTES');
  return {
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    sizes,
    soakMinutes,
    json: v['json'] as string | undefined,
    keepLogs: v['keep-logs'] === true,
    updateDocs: v['update-docs'] === true,
  };
}
