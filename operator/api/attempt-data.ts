/**
 * Bounds of what an attempt returns (its output) and ran with (its recorded
 * params), and the keys of the attempt data object that holds the larger
 * ones beside the instance (docs/architecture.md, "Outputs").
 */

/** Default inline bound: a value up to this many bytes of JSON stays in the task entry. */
export const INLINE_VALUE_BYTES = 1024;
/** The most the inline bound may be set to: the TaskResult schema's bound on a value. */
export const MAX_INLINE_VALUE_BYTES = 8192;
/** Default largest output (JSON bytes) an action may return; more fails the attempt. */
export const MAX_OUTPUT_BYTES = 8192;
/** The most `maxOutputBytes` may be set to: an attempt data object stays far below 1 MiB. */
export const MAX_OUTPUT_BYTES_LIMIT = 128 * 1024;

/** What the worker stores of an attempt: each value as JSON text. */
export const ATTEMPT_DATA_KEYS = ['output', 'params'] as const;
export type AttemptDataKey = (typeof ATTEMPT_DATA_KEYS)[number];
