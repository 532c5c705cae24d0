/**
 * R6: every case of the bad-input table is sent (a few at a time) to a
 * running fastflow; each must be refused or failed with a message naming the
 * field (or, at a limit, run). Afterwards nothing may have crashed or wedged:
 * every operator and worker still runs, a good instance still succeeds, and
 * no bad input keeps the operator writing (the audit log over a quiet
 * window). An extra worker with the test actions `echo` runs the outputs.
 */
import { writeFileSync } from 'node:fs';
import { errorText } from '../bench/errors.ts';
import { accepted } from './audit.ts';
import type { BadInput } from './bad-input-case.ts';
import { asExpected, runCase, type Observation } from './bad-input-run.ts';
import { badInputs } from './bad-inputs.ts';
import { DOC_PATH, renderDoc } from './faults-doc.ts';
import { createInstances, createLoadDag, settle } from './load.ts';
import { check, loadChecks, type ScenarioResult } from './result.ts';
import { runScenario } from './scenario.ts';
import { sleep, type RunEnv } from './system.ts';

const LANES = 6;
/** A bad input that makes the operator write this often in the quiet window is a write loop. */
const QUIET_WINDOW_MS = 10_000;
const LOOP_WRITES = 3;

export function runR6(env: RunEnv, opts: { updateDocs: boolean }): Promise<ScenarioResult> {
  const cases = badInputs();
  return runScenario(env, 'R6', `${cases.length} bad inputs`, async (sys) => {
    sys.procs.spawn(`${sys.namespace}-echo`, [
      'worker',
      '--name',
      `${sys.namespace}-echo`,
      '--actions',
      'test/support/actions/data.ts',
    ]);
    await sys.procs.ready(env.kc, env.sizes.workers + 1, 120_000);
    const observed = new Map<string, Observation>();
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < cases.length) {
        const c = cases[next++] as BadInput;
        try {
          observed.set(c.id, await runCase(sys, c));
        } catch (e) {
          observed.set(c.id, { outcome: 'harness error', message: errorText(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    const wrong = cases.filter((c) => !asExpected(c, observed.get(c.id) as Observation));
    for (const c of wrong) {
      const o = observed.get(c.id) as Observation;
      env.log(
        `R6 ${c.id}: expected ${c.expect} naming "${c.field}", got ${o.outcome}: ${o.message.slice(0, 300)}`,
      );
    }
    if (opts.updateDocs) writeFileSync(DOC_PATH, renderDoc(cases, observed, asExpected));

    // Nothing wedged: a quiet window without write loops, every process up, a good load runs.
    const windowFrom = Date.now();
    await sleep(QUIET_WINDOW_MS);
    const perInstance = new Map<string, number>();
    for (const e of sys.audit.entries()) {
      if (e.at < windowFrom || e.resource !== 'daginstances' || !accepted(e)) continue;
      perInstance.set(e.name, (perInstance.get(e.name) ?? 0) + 1);
    }
    const loops = [...perInstance]
      .filter(([, n]) => n >= LOOP_WRITES)
      .map(([name, n]) => `${name} (${n})`);
    const gone = sys.procs.exitReason();
    await createLoadDag(sys);
    const after = await createInstances(sys, 'r6-after', 5);
    const load = await settle(sys, after, performance.now());
    const counts = new Map<string, number>();
    for (const o of observed.values()) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
    return {
      figures: {
        'bad inputs': cases.length,
        'as expected': cases.length - wrong.length,
        outcomes: [...counts].map(([k, v]) => `${k} ${v}`).join(', '),
        'not as expected': wrong.map((c) => c.id).join(', ') || 'none',
      },
      load,
      checks: [
        check(
          'each bad input refused or failed with a message naming the field',
          wrong.length === 0,
          `${wrong.length} of ${cases.length} not: ${wrong.map((c) => `${c.id} (${observed.get(c.id)?.outcome ?? '?'})`).join(', ') || 'none'}`,
        ),
        check('no operator or worker crashed', gone === undefined, gone ?? 'all running'),
        check(
          'no bad input keeps the operator writing',
          loops.length === 0,
          `instances written ${LOOP_WRITES}+ times in a ${QUIET_WINDOW_MS / 1000} s quiet window: ${loops.join(', ') || 'none'}`,
        ),
        ...loadChecks(load).map((c) => ({ ...c, name: `afterwards, good instances: ${c.name}` })),
      ],
    };
  });
}
