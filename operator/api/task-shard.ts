import { z } from 'zod';
import { ObjectName } from './common.ts';
import { TaskStatus } from './dag-instance.ts';

/**
 * Finished task entries one shard holds at most. The operator compacts once
 * 32 Succeeded/Skipped entries have accumulated (core/compaction.ts) and then
 * moves all of them at once: a wave of 250 that ends together is one shard
 * written, not eight in a row before the status write that starts its join.
 */
export const SHARD_TASKS = 1000;
/** The JSON bytes of entries one shard holds at most (under the 256 KiB object bound). */
export const MAX_SHARD_BYTES = 192 * 1024;

export const TaskShardSpec = z.strictObject({
  instance: ObjectName.describe('The DagInstance the entries belong to.'),
  index: z.int().min(0).describe('n in <instance>-s<n>: shards 0..status.shards-1 exist.'),
  tasks: z
    .record(z.string().max(253), TaskStatus)
    .meta({ maxProperties: SHARD_TASKS, 'x-kubernetes-map-type': 'atomic' })
    .describe('Finished task entries moved out of status.tasks, by task key, as they were there.'),
});
export type TaskShardSpec = z.infer<typeof TaskShardSpec>;
