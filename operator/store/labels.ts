import { createHash } from 'node:crypto';

/** Longest label value Kubernetes accepts. */
const MAX_LABEL_VALUE = 63;
/** Longest object name (DNS-1123 subdomain) Kubernetes accepts. */
const MAX_OBJECT_NAME = 253;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function hashOf(s: string, length: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}

/**
 * A label value that stands for `s`: `s` itself when it is a valid label
 * value (so `kubectl get cm -l fastflow.io/instance=NAME` keeps working for
 * the usual names), else a readable prefix and a hash of the whole string.
 * Object names reach 253 characters and task keys may hold `[`, `#`, `/`, so
 * neither always fits in a label. Objects labelled this way also carry `s` in
 * an annotation of the same key: readers select by the label and keep the
 * objects whose annotation is `s` (see `sameSubject`).
 */
export function labelValue(s: string): string {
  if (s.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(s)) return s;
  const prefix = s
    .replace(/[^-A-Za-z0-9_.]/g, '-')
    .slice(0, MAX_LABEL_VALUE - 17)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  const hash = hashOf(s, 16);
  return prefix ? `${prefix}-${hash}` : hash;
}

/**
 * Labels and annotations that tie an object to what it belongs to: each value
 * as a label (`labelValue`) and in full as an annotation of the same key.
 */
export function subjectMetadata(values: Record<string, string>): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) labels[key] = labelValue(value);
  return { labels, annotations: { ...values } };
}

/**
 * The full value of `key` on an object labelled by `subjectMetadata`: the
 * annotation, else the label (objects written before annotations existed).
 */
export function subjectOf(
  meta: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
  key: string,
): string | undefined {
  return meta?.annotations?.[key] ?? meta?.labels?.[key];
}

/**
 * A DNS-1123 object name made of `base` and `suffix`: `base + suffix` when it
 * fits, else a prefix of `base`, a hash of the whole `base`, and `suffix`,
 * so that two long names sharing a prefix never collide.
 */
export function boundedName(base: string, suffix: string, max = MAX_OBJECT_NAME): string {
  if (base.length + suffix.length <= max) return `${base}${suffix}`;
  const hash = hashOf(base, 10);
  const prefix = base.slice(0, max - suffix.length - hash.length - 1).replace(/[-.]+$/, '');
  return `${prefix}-${hash}${suffix}`;
}
