/**
 * The admission policy behind fastflow.io/signal-by (crds/fastflow.io_signal-policy.yaml)
 * on the real API server: a signal is recorded under the user the API server
 * authenticated, never under a name the sender chose. No operator is needed:
 * the API server itself refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNAL_ANNOTATION, SIGNAL_BY_ANNOTATION } from '../../operator/api/names.ts';
import { createTestNamespace, deleteTestNamespace, kubectl } from '../support/cluster.ts';

let ns: string;

beforeAll(async () => {
  ns = await createTestNamespace('signal-admission');
  const created = await kubectl(['create', '-n', ns, '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'fastflow.io/v1alpha1',
      kind: 'DagInstance',
      metadata: { name: 'run' },
      spec: { dagRef: { name: 'absent' } },
    }),
  });
  expect(created.stderr).toBe('');
});

afterAll(async () => {
  if (ns) await deleteTestNamespace(ns);
});

/** `kubectl annotate --overwrite dagi run ...`, as the admin or as another user. */
function annotate(pairs: Record<string, string>, as?: string) {
  const impersonate = as ? [`--as=${as}`, '--as-group=system:masters'] : [];
  const args = Object.entries(pairs).map(([k, v]) => `${k}=${v}`);
  return kubectl(['annotate', '--overwrite', '-n', ns, 'dagi', 'run', ...args, ...impersonate]);
}

describe('fastflow.io/signal-by', () => {
  it('is accepted when it names the user making the request', async () => {
    const ok = await annotate({
      [SIGNAL_ANNOTATION]: 't1:approve:gate',
      [SIGNAL_BY_ANNOTATION]: 'admin',
    });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    const same = await annotate({ [SIGNAL_ANNOTATION]: 't2:approve:gate' });
    expect(same).toMatchObject({ code: 0, stderr: '' });
  });

  it('is refused when it names someone else: a signal cannot be forged', async () => {
    const forged = await annotate(
      { [SIGNAL_ANNOTATION]: 't3:approve:gate', [SIGNAL_BY_ANNOTATION]: 'alice' },
      'mallory',
    );
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain(
      'fastflow.io/signal-by must name the user sending fastflow.io/signal ("mallory")',
    );
    // Nor by leaving the name another user wrote in place.
    const kept = await annotate({ [SIGNAL_ANNOTATION]: 't4:reject:gate' }, 'mallory');
    expect(kept.stderr).toContain('("mallory")');
  });

  it('is refused when it changes alone, which would re-attribute a signal', async () => {
    const alone = await annotate({ [SIGNAL_BY_ANNOTATION]: 'mallory' }, 'mallory');
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toContain(
      'fastflow.io/signal-by changes only together with fastflow.io/signal',
    );
  });

  it('leaves every other write alone', async () => {
    const label = await kubectl([
      'label',
      '-n',
      ns,
      'dagi',
      'run',
      'team=a',
      '--as=mallory',
      '--as-group=system:masters',
    ]);
    expect(label).toMatchObject({ code: 0, stderr: '' });
  });
});
