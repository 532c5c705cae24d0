import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../api/dag.ts';
import { TERMINAL_INSTANCE_PHASES, type TaskPhase } from '../../api/dag-instance.ts';
import { prng, randomDag, simulate } from '../../../test/support/decide-simulation.ts';
import { graphOf } from '../../../test/support/decide-fixtures.ts';
import { descendantsOf, type DagGraph } from '../graph.ts';
import { validateDag } from '../validate-dag.ts';

const CASES = ['a', 'b', 'c'] as const;
type Role =
  { kind: 'action'; fails: boolean; optional: boolean } | { kind: 'switch'; picks: string };

/**
 * Random Dags where some tasks are switches (on a constant, each listing
 * random tasks after it under cases a and b and default) and some action
 * tasks fail, some of them optional.
 */
const controlDag = randomDag.chain(({ tasks }) =>
  fc
    .tuple(
      fc.array(
        fc.record({
          kind: fc.constantFrom('action', 'action', 'switch'),
          fails: fc.boolean(),
          optional: fc.boolean(),
          picks: fc.constantFrom(...CASES),
        }),
        { minLength: tasks.length, maxLength: tasks.length },
      ),
      fc.array(fc.constantFrom('a', 'b', 'default', 'none'), { minLength: 40, maxLength: 40 }),
    )
    .map(([roles, placement]) => {
      const graph = graphOf(tasks);
      const role = new Map<string, Role>();
      const specs = tasks.map((t, i): TaskSpec => {
        const r = roles[i]!;
        if (r.kind !== 'switch') {
          role.set(t.id, { kind: 'action', fails: r.fails, optional: r.optional });
          return { ...t, ...(r.optional ? { optional: true } : {}) };
        }
        role.set(t.id, { kind: 'switch', picks: r.picks });
        const cases: Record<string, string[]> = { a: [], b: [] };
        const def: string[] = [];
        [...descendantsOf(graph, t.id)].sort().forEach((id, j) => {
          const where = placement[(i + j) % placement.length];
          if (where === 'a' || where === 'b') cases[where]!.push(id);
          if (where === 'default') def.push(id);
        });
        const { actionName: _, ...rest } = t;
        return {
          ...rest,
          type: 'switch',
          switch: { expression: `"${r.picks}"`, cases, default: def },
        };
      });
      return { specs, role };
    }),
);

/** The reference model: each task's final phase, in topological order. */
function expected(graph: DagGraph, role: Map<string, Role>): Record<string, TaskPhase | undefined> {
  const out: Record<string, TaskPhase | undefined> = {};
  const ok = (p: string): boolean => {
    const r = role.get(p);
    return (
      out[p] === 'Succeeded' ||
      out[p] === 'Skipped' ||
      (out[p] === 'Failed' && r?.kind === 'action' && r.optional)
    );
  };
  for (const id of graph.order) {
    if (!(graph.parents.get(id) ?? []).every(ok)) continue;
    const taken = [...graph.tasks.values()].every((s) => {
      if (s.type !== 'switch' || !s.switch) return true;
      const lists = { ...s.switch.cases, default: s.switch.default ?? [] };
      const mine = Object.entries(lists).filter(([, ids]) => ids.includes(id));
      if (mine.length === 0) return true;
      const r = role.get(s.id);
      const picked = r?.kind === 'switch' && r.picks in s.switch.cases ? r.picks : 'default';
      return out[s.id] === 'Succeeded' && mine.some(([name]) => name === picked);
    });
    const r = role.get(id);
    out[id] = !taken ? 'Skipped' : r?.kind === 'action' && r.fails ? 'Failed' : 'Succeeded';
  }
  return out;
}

describe('decide with switches and optional tasks (property)', () => {
  it('reaches the outcome of the model; system tasks never hold a worker; each pass is a fixed point', () => {
    fc.assert(
      fc.property(controlDag, fc.integer(), ({ specs, role }, seed) => {
        expect(validateDag({ tasks: specs }).valid).toBe(true);
        const graph = graphOf(specs);
        const result = simulate({
          graph,
          workers: [{ name: 'w0', actions: ['A', 'B', 'C'], capacity: 3 }],
          random: prng(seed),
          ending: (id) => {
            const r = role.get(id);
            return r?.kind === 'action' && r.fails ? 'AttemptFailed' : 'AttemptSucceeded';
          },
          forceProgress: true,
          maxSteps: 400,
          // Half the runs, workers start steps waiting behind a parent (a switch's branches
          // among them, whichever the switch picks): the fold holds or fences them.
          eager: seed % 2 === 0,
          check: (_before, after, _live, _now, again) => {
            for (const [id, t] of Object.entries(after.tasks ?? {})) {
              if (role.get(id)?.kind === 'switch') expect(t.worker).toBeUndefined();
            }
            expect(again(after).status.tasks).toEqual(after.tasks);
          },
        });
        expect(TERMINAL_INSTANCE_PHASES.has(result.status.phase ?? 'Pending')).toBe(true);
        const want = expected(graph, role);
        for (const id of graph.order) {
          // A Pending entry (a pre-assignment voided behind a parent that failed) is no phase yet.
          const phase = result.status.tasks?.[id]?.phase;
          expect(phase === 'Pending' ? undefined : phase, id).toBe(want[id]);
        }
        const blocking = graph.order.some((id) => {
          const r = role.get(id);
          return want[id] === 'Failed' && !(r?.kind === 'action' && r.optional);
        });
        const stuck = graph.order.some((id) => want[id] === undefined);
        expect(result.status.phase).toBe(blocking || stuck ? 'Failed' : 'Succeeded');
      }),
      { numRuns: 150 },
    );
  });
});
