import { z } from 'zod';
import { Timestamp } from './common.ts';
import { VarName } from './dag.ts';
import { MAX_SET_VARS_BYTES } from './task-types.ts';

/**
 * What system tasks (operator/core/control/) record on the instance, beside
 * their own entry in status.tasks: the operator is their only writer.
 */
export const ControlStatusFields = {
  vars: z
    .record(VarName, z.string().max(MAX_SET_VARS_BYTES))
    .optional()
    .meta({ maxProperties: 128 })
    .describe(
      'Vars given new values by setVars tasks (spec.vars is immutable): later tasks read these.',
    ),
  terminated: z
    .object({
      task: z.string().max(253),
      phase: z.enum(['Succeeded', 'Failed']),
      reason: z.string().max(1024).optional(),
      at: Timestamp,
    })
    .optional()
    .describe('The terminate task that ended the instance, and how.'),
  output: z
    .unknown()
    .optional()
    .describe("The instance's output, given by its terminate task (JSON, at most 8 KiB)."),
};
export const ControlStatus = z.object(ControlStatusFields);
export type ControlStatus = z.infer<typeof ControlStatus>;
