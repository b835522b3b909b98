import type { InboundMessage, InboundRecorded } from '../domain/inbound.js';

/**
 * Where channels' inbound messages go: the app records each once, matches its sender,
 * attributes it to a campaign and acts on it (an unsubscribe). The engine feeds it from
 * `pollInbound`; the API's callback route from `callback`.
 */
export interface InboundSink {
  record(channel: string, messages: readonly InboundMessage[]): Promise<InboundRecorded>;
}
