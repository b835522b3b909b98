import type { EventBus, EventMap, Topic } from '@qunfa/core';
import postgres from 'postgres';

/** NOTIFY payloads must stay under PostgreSQL's 8000-byte limit. */
const MAX_PAYLOAD = 7900;
const CHANNEL = 'qunfa_events';

interface Envelope {
  topic: Topic;
  key: string;
  payload: unknown;
}

type Listener = (payload: unknown) => void;

/**
 * An event bus over PostgreSQL LISTEN/NOTIFY: every API and worker process on the same
 * database sees every event, with no broker. Events are nudges, small and JSON; a lost one
 * costs nothing because subscribers start from the database's exact state.
 */
export async function createPgEventBus(url: string): Promise<EventBus> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const listeners = new Map<string, Set<Listener>>();
  const address = (topic: Topic, key: string) => `${topic}\u0000${key}`;
  const subscription = await client.listen(CHANNEL, (raw) => {
    const envelope = JSON.parse(raw) as Envelope;
    for (const listener of listeners.get(address(envelope.topic, envelope.key)) ?? [])
      listener(envelope.payload);
  });

  return {
    async publish(topic, key, payload) {
      const text = JSON.stringify({ topic, key, payload } satisfies Envelope);
      if (Buffer.byteLength(text) > MAX_PAYLOAD)
        throw new Error(`event too large for NOTIFY (${text.length} bytes)`);
      await client.notify(CHANNEL, text);
    },
    subscribe<T extends Topic>(topic: T, key: string, signal?: AbortSignal): AsyncIterable<EventMap[T]> {
      const queue: EventMap[T][] = [];
      let wake: (() => void) | undefined;
      const listener: Listener = (payload) => {
        queue.push(payload as EventMap[T]);
        wake?.();
      };
      const id = address(topic, key);
      if (!listeners.has(id)) listeners.set(id, new Set());
      listeners.get(id)!.add(listener);
      const unsubscribe = () => {
        listeners.get(id)?.delete(listener);
        if (listeners.get(id)?.size === 0) listeners.delete(id);
        wake?.();
      };
      signal?.addEventListener('abort', unsubscribe, { once: true });
      return {
        async *[Symbol.asyncIterator]() {
          try {
            while (!signal?.aborted) {
              if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
              wake = undefined;
              while (queue.length > 0 && !signal?.aborted) yield queue.shift()!;
            }
          } finally {
            unsubscribe();
          }
        },
      };
    },
    async close() {
      await subscription.unlisten();
      await client.end({ timeout: 5 });
    },
  };
}
