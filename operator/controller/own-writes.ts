/**
 * The versions of each instance that this process's own writes have
 * replaced. The informer delivers each write a moment after it lands; a
 * pass that runs before that (woken by a TaskResult, or by the event of the
 * status write while the label write followed it) would decide from the
 * version it has just replaced: its status write is refused (409), its
 * label and TaskResult clean-up are done twice. Such a pass is skipped
 * instead: the newer version is on its way, and its event brings a pass.
 * Only versions a successful write of ours replaced are recorded, so the
 * cache is never wrongly taken as behind (resourceVersions are compared
 * for equality only: they are opaque).
 */
export class OwnWrites {
  readonly #replaced = new Map<string, Set<string>>();

  /** A write of ours landed on top of these versions of the instance. */
  replaced(key: string, versions: readonly (string | undefined)[]): void {
    const known = this.#replaced.get(key) ?? new Set<string>();
    for (const v of versions) if (v !== undefined) known.add(v);
    if (known.size > 0) this.#replaced.set(key, known);
  }

  /**
   * Whether the cached version is one a write of ours replaced. Once the
   * cache shows another, it has caught up: the versions recorded are
   * forgotten.
   */
  behind(key: string, cachedVersion: string | undefined): boolean {
    const known = this.#replaced.get(key);
    if (known === undefined) return false;
    if (cachedVersion !== undefined && known.has(cachedVersion)) return true;
    this.#replaced.delete(key);
    return false;
  }

  /** The instance is gone. */
  forget(key: string): void {
    this.#replaced.delete(key);
  }
}
