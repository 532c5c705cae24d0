import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { testKubeConfig } from './cluster.ts';

/**
 * The Event the leader records (asynchronously) about `name` with `reason`,
 * and whose note says `text` when given: polled until it is there.
 */
export async function eventAbout(
  namespace: string,
  name: string,
  reason: string,
  text?: string,
): Promise<EventsV1Event> {
  const api = testKubeConfig().makeApiClient(EventsV1Api);
  for (let i = 0; i < 100; i++) {
    const { items } = await api.listNamespacedEvent({ namespace });
    const found = items.find(
      (e) =>
        e.regarding?.name === name &&
        e.reason === reason &&
        (text === undefined || e.note?.includes(text)),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `no ${reason} Event about ${name}${text === undefined ? '' : ` saying "${text}"`}`,
  );
}
