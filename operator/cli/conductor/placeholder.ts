/**
 * What stands for a Conductor task that does not convert: an action task of
 * its name, so that the graph keeps its shape and you can write that action.
 */
import type { Conversion, DagTask, Path } from './context.ts';

/** The type-specific part of a Dag task (its id and dependOn are the sequence's). */
export type TypePart = Omit<DagTask, 'id' | 'dependOn'>;

export function placeholder(
  task: Record<string, unknown>,
  inputs: Record<string, unknown>,
  inputsAt: Path,
  conv: Conversion,
  ref: string,
  type: string,
): TypePart {
  const name =
    typeof task['name'] === 'string' && task['name'] !== '' ? task['name'] : type.toLowerCase();
  const params = conv.params(inputs, inputsAt, ref) as Record<string, unknown>;
  return {
    actionName: name,
    desc: `not converted from Conductor's ${type}`,
    ...(Object.keys(params).length > 0 ? { params } : {}),
  };
}
