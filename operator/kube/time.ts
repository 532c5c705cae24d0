import { V1MicroTime } from '@kubernetes/client-node';

/**
 * A `metav1.MicroTime` string: RFC 3339 with exactly six fractional digits.
 * Lease acquireTime/renewTime and events.k8s.io eventTime are refused with
 * 400 "cannot parse" when written with JavaScript's three digits.
 */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The same instant as client-node's `V1MicroTime`, for typed model fields
 * (`V1LeaseSpec.renewTime`): it serialises through `toISOString`, which
 * `V1MicroTime` pads to six digits like `microTime`.
 */
export function toMicroTime(date: Date): V1MicroTime {
  return new V1MicroTime(date.getTime());
}
