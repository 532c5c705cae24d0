import { describe, expect, it } from 'vitest';
import { collectableSnapshots } from './revision-gc.ts';

describe('collectableSnapshots', () => {
  const now = 1_000_000;
  const grace = 60_000;
  const old = now - grace - 1;

  it('collects an old snapshot nobody references or uses', () => {
    const snapshots = [{ key: 'ns/a', createdAt: old }];
    expect(collectableSnapshots(snapshots, new Set(), () => undefined, now, grace)).toEqual([
      'ns/a',
    ]);
  });

  it('keeps a referenced one, a young one, and one handed out within the grace', () => {
    const snapshots = [
      { key: 'ns/referenced', createdAt: old },
      { key: 'ns/young', createdAt: now - 1000 },
      { key: 'ns/just-used', createdAt: old },
      { key: 'ns/used-long-ago', createdAt: old },
    ];
    const lastUsed = (k: string): number | undefined =>
      ({ 'ns/just-used': now - 5, 'ns/used-long-ago': old })[k];
    expect(
      collectableSnapshots(snapshots, new Set(['ns/referenced']), lastUsed, now, grace),
    ).toEqual(['ns/used-long-ago']);
  });
});
