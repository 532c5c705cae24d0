import { z } from 'zod';

/**
 * What workers advertise of their actions' types, for checking Dags against
 * them when they are applied (typed edges): each action's params and, when
 * it declares one, its output, as JSON Schema (zod's z.toJSONSchema). One
 * ConfigMap per distinct set, named by a hash of its content
 * (`fastflow-actions-<hash>`, immutable, shared by every worker of the same
 * image and version), in the Lease namespace; the worker's Lease names it in
 * an annotation. A Lease's annotations hold 256 KiB in all, too little for
 * the schemas of many actions; a ConfigMap holds 1 MiB.
 */
export const JsonSchema = z.record(z.string(), z.unknown());
export type JsonSchema = z.infer<typeof JsonSchema>;

export const ActionSchema = z.object({
  params: JsonSchema.optional().describe(
    "The params' JSON Schema, as the Dag writes them (input).",
  ),
  output: JsonSchema.optional().describe('What run returns, when the action declares it.'),
});
export type ActionSchema = z.infer<typeof ActionSchema>;

/** By action name. */
export const ActionSchemaSet = z.record(z.string().min(1).max(253), ActionSchema);
export type ActionSchemaSet = z.infer<typeof ActionSchemaSet>;

/** The Lease annotation naming the worker's ConfigMap of schemas. */
export const ACTION_SCHEMAS_ANNOTATION = 'fastflow.io/action-schemas';
/** The label on those ConfigMaps. */
export const ACTION_SCHEMAS_LABEL = 'fastflow.io/action-schemas';
/** The ConfigMap's key holding the set, as JSON. */
export const ACTION_SCHEMAS_KEY = 'schemas.json';
export const ACTION_SCHEMAS_PREFIX = 'fastflow-actions-';
