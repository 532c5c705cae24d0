import type { Action } from './action.ts';

/**
 * The actions one worker process can run (fastflow's RegisterAction). A name
 * registered twice is an error, not "last one wins": two different actions
 * silently sharing a name is a bug the user wants to hear about at start.
 */
export class ActionRegistry {
  readonly #actions = new Map<string, Action<unknown>>();

  register(...actions: Action<unknown>[]): this {
    for (const action of actions) {
      if (this.#actions.has(action.name)) {
        throw new Error(`action "${action.name}" is registered twice`);
      }
      this.#actions.set(action.name, action);
    }
    return this;
  }

  get(name: string): Action<unknown> | undefined {
    return this.#actions.get(name);
  }

  names(): string[] {
    return [...this.#actions.keys()].sort();
  }
}
