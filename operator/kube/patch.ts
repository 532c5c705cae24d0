import {
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
} from '@kubernetes/client-node';

// The generated patch methods default to JSON Patch whatever the body is, so
// every patch call must say which kind it sends. `setHeaderOptions` appends its
// middleware (a hand-built `{ middleware }` would replace the configured ones).
// To add a deadline or a signal: `requestOptions({ timeoutMs }, mergePatchOptions)`.

/** Options for a JSON merge patch (objects merge, arrays are replaced, null deletes). */
export const mergePatchOptions: ConfigurationOptions = setHeaderOptions(
  'Content-Type',
  PatchStrategy.MergePatch,
);
