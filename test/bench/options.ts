/** Benchmark sizes: flags (`npm run bench -- --wide-width 500`) over FASTFLOW_BENCH_* env. */
import { parseArgs } from 'node:util';

export type BenchOptions = {
  rawSequential: number;
  rawParallel: number;
  rawInFlight: number;
  rawRounds: number;
  chainInstances: number;
  chainLength: number;
  chainParallel: number;
  chainStepMs: number;
  wideInstances: number;
  wideWidth: number;
  workerConcurrency: number;
  operatorConcurrency: number | undefined;
  phaseTimeoutSecs: number;
  stallSecs: number;
  largeChain: number;
  largeWide: number;
  largeOutputs: number;
  outputBytes: number;
  largeTimeoutSecs: number;
  liveInstances: number;
  flowApprovals: number;
  growItems: number;
  growIterations: number;
  workers: number;
  phases: Set<Phase>;
  fsync: boolean;
  keepLogs: boolean;
  /** Where `--json` writes the target figures; undefined: not written. */
  json: string | undefined;
};

const PHASES = ['raw', 'chain', 'wide', 'large', 'live', 'flow', 'grow'] as const;
export type Phase = (typeof PHASES)[number];

const NUMBERS = {
  'raw-sequential': { def: 300, help: 'ConfigMap creates with 1 in flight' },
  'raw-parallel': { def: 1000, help: 'ConfigMap creates with --raw-in-flight in flight' },
  'raw-in-flight': { def: 32, help: 'requests in flight for the parallel raw measurement' },
  'raw-rounds': { def: 3, help: 'rounds of each raw measurement (the median is reported)' },
  'chain-instances': { def: 50, help: 'instances of the chain DAG' },
  'chain-length': { def: 10, help: 'tasks in the chain' },
  'chain-parallel': { def: 2, help: 'chain instances running at once' },
  'chain-step-ms': { def: 0, help: 'how long each chain task sleeps (0: no-op; targets use 0)' },
  'wide-instances': { def: 4, help: 'instances of the wide DAG, created at once' },
  'wide-width': { def: 250, help: 'parallel children between root and join' },
  'large-chain': { def: 2000, help: 'tasks of the large chain (one instance)' },
  'large-wide': { def: 2000, help: 'children of the large fan-out (root → children → one join)' },
  'large-outputs': {
    def: 500,
    help: 'parallel tasks each returning --output-bytes, read downstream',
  },
  'output-bytes': { def: 8000, help: 'size of each output of the outputs workload' },
  'large-timeout-secs': { def: 900, help: 'each large workload fails after this long' },
  'live-instances': { def: 10000, help: 'instances kept live (Blocked) in the live phase' },
  'flow-approvals': { def: 20, help: 'approvals given one at a time in the flow phase' },
  'grow-items': { def: 5000, help: 'items of the fan-out in the grow phase (one instance)' },
  'grow-iterations': { def: 1000, help: 'iterations of the loop in the grow phase (one instance)' },
  workers: { def: 8, help: 'worker processes' },
  'worker-concurrency': { def: 8, help: "each worker's --concurrency" },
  'operator-concurrency': { def: 0, help: "the operator's --concurrency (0: its default)" },
  'phase-timeout-secs': { def: 120, help: 'a phase fails after this long' },
  'stall-secs': { def: 30, help: 'a phase fails when no instance changed for this long' },
} as const;

type NumberFlag = keyof typeof NUMBERS;

const envName = (flag: string): string => `FASTFLOW_BENCH_${flag.replace(/-/g, '_').toUpperCase()}`;

export function usage(): string {
  const lines = Object.entries(NUMBERS).map(
    ([flag, { def, help }]) =>
      `  --${flag} <n>`.padEnd(30) + `${help} (default ${def}; env ${envName(flag)})`,
  );
  return [
    'usage: npm run bench -- [options]',
    ...lines,
    '  --phases <list>'.padEnd(30) + `${PHASES.join(',')} (default all; env ${envName('phases')})`,
    '  --json <file>'.padEnd(30) + 'also write the target figures there as one JSON object',
    '  --fsync'.padEnd(30) + `run etcd with fsync (default off; env ${envName('fsync')}=1)`,
    '  --keep-logs'.padEnd(30) + 'keep the operator/worker logs even when every phase passed',
  ].join('\n');
}

export function parseOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): BenchOptions | 'help' {
  const { values: parsed } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(NUMBERS).map((k) => [k, { type: 'string' as const }])),
      phases: { type: 'string' },
      json: { type: 'string' },
      fsync: { type: 'boolean' },
      'keep-logs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  if (values['help'] === true) return 'help';
  const num = (flag: NumberFlag): number => {
    const raw = (values[flag] as string | undefined) ?? env[envName(flag)];
    if (raw === undefined || raw === '') return NUMBERS[flag].def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: not a whole number: ${raw}`);
    return n;
  };
  const flagOrEnv = (flag: string): boolean =>
    values[flag] === true || ['1', 'true', 'yes'].includes(env[envName(flag)] ?? '');
  const phaseList = (
    (values['phases'] as string | undefined) ??
    env[envName('phases')] ??
    PHASES.join(',')
  )
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const p of phaseList) {
    if (!(PHASES as readonly string[]).includes(p)) {
      throw new Error(`--phases: unknown phase ${p} (known: ${PHASES.join(', ')})`);
    }
  }
  const operatorConcurrency = num('operator-concurrency');
  return {
    rawSequential: num('raw-sequential'),
    rawParallel: num('raw-parallel'),
    rawInFlight: Math.max(1, num('raw-in-flight')),
    rawRounds: Math.max(1, num('raw-rounds')),
    chainInstances: num('chain-instances'),
    chainLength: Math.max(1, num('chain-length')),
    chainParallel: Math.max(1, num('chain-parallel')),
    chainStepMs: num('chain-step-ms'),
    wideInstances: num('wide-instances'),
    wideWidth: Math.max(1, num('wide-width')),
    workerConcurrency: Math.max(1, num('worker-concurrency')),
    operatorConcurrency: operatorConcurrency > 0 ? operatorConcurrency : undefined,
    phaseTimeoutSecs: Math.max(1, num('phase-timeout-secs')),
    stallSecs: Math.max(1, num('stall-secs')),
    largeChain: Math.max(1, num('large-chain')),
    largeWide: Math.max(1, num('large-wide')),
    largeOutputs: Math.max(1, num('large-outputs')),
    outputBytes: num('output-bytes'),
    largeTimeoutSecs: Math.max(1, num('large-timeout-secs')),
    liveInstances: Math.max(1, num('live-instances')),
    flowApprovals: Math.max(1, num('flow-approvals')),
    growItems: Math.max(1, num('grow-items')),
    growIterations: Math.max(1, num('grow-iterations')),
    workers: Math.max(1, num('workers')),
    phases: new Set(phaseList as Phase[]),
    fsync: flagOrEnv('fsync'),
    keepLogs: flagOrEnv('keep-logs'),
    json: (values['json'] as string | undefined) ?? env[envName('json')],
  };
}
