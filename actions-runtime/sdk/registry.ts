import { z } from 'zod';
import type {
  ActionSchema,
  ActionSchemaSet,
  JsonSchema,
} from '../../operator/api/action-schemas.ts';
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

  /**
   * Each action's params (as a Dag writes them: defaults make a field
   * optional) and declared output, as JSON Schema. A type JSON Schema cannot
   * express (a custom check, a function) becomes `{}`: anything goes there.
   */
  schemas(): ActionSchemaSet {
    const set: ActionSchemaSet = {};
    for (const [name, action] of this.#actions) {
      const entry: ActionSchema = {};
      if (action.params) entry.params = toJsonSchema(action.params, 'input');
      if (action.output) entry.output = toJsonSchema(action.output, 'output');
      set[name] = entry;
    }
    return set;
  }
}

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', cycles: 'ref' });
}
