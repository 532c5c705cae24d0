import { createHash } from 'node:crypto';
import { ATTEMPT_LABELS } from '../api/names.ts';
import type { ObjectRef } from '../kube/types.ts';
import { boundedName, labelValue, subjectMetadata } from './labels.ts';

/** Labels on the ConfigMaps one attempt leaves: which attempt, and what kind (trace, data). */
export const ATTEMPT_OBJECT_LABELS = { ...ATTEMPT_LABELS, kind: 'fastflow.io/kind' } as const;

/** The kinds of ConfigMap an attempt leaves beside its instance, and their name letter. */
export const ATTEMPT_OBJECT_KINDS = { trace: 't', data: 'd' } as const;
export type AttemptObjectKind = keyof typeof ATTEMPT_OBJECT_KINDS;

export interface AttemptRef {
  instance: ObjectRef;
  task: string;
  attempt: number;
}

/**
 * `<instance>-<letter><hash of task>-<attempt>`: the task key may hold
 * characters a name cannot, and a long instance name keeps a prefix and a
 * hash of the whole (boundedName).
 */
export function attemptObjectName(kind: AttemptObjectKind, a: AttemptRef): string {
  const hash = createHash('sha256').update(a.task).digest('hex').slice(0, 8);
  return boundedName(a.instance.name, `-${ATTEMPT_OBJECT_KINDS[kind]}${hash}-${a.attempt}`);
}

/** Labels and annotations of an attempt's object (see "Long names" in docs/architecture.md). */
export function attemptObjectMetadata(
  kind: AttemptObjectKind,
  a: AttemptRef,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const subject = subjectMetadata({
    [ATTEMPT_OBJECT_LABELS.instance]: a.instance.name,
    [ATTEMPT_OBJECT_LABELS.task]: a.task,
  });
  return {
    labels: {
      ...subject.labels,
      [ATTEMPT_OBJECT_LABELS.attempt]: String(a.attempt),
      [ATTEMPT_OBJECT_LABELS.kind]: kind,
    },
    annotations: subject.annotations,
  };
}

/**
 * The label selector of an instance's objects of one kind (of one task, if
 * given). Labels hold `labelValue`s, so a selected object may belong to
 * another instance whose long name hashes alike only in theory: readers also
 * check the annotations (`subjectOf`).
 */
export function attemptObjectSelector(
  kind: AttemptObjectKind,
  instance: string,
  task?: string,
): string {
  const selector = [
    `${ATTEMPT_OBJECT_LABELS.instance}=${labelValue(instance)}`,
    `${ATTEMPT_OBJECT_LABELS.kind}=${kind}`,
  ];
  if (task !== undefined) selector.push(`${ATTEMPT_OBJECT_LABELS.task}=${labelValue(task)}`);
  return selector.join(',');
}
