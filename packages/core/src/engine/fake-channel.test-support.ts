import type { IdentityKind } from '../domain/contact.js';
import type { FailureClass } from '../domain/failure.js';
import type { ChannelPlugin, OutboundBatch, OutboundMessage, SendOutcome } from '../plugins/channel.js';

export type FakeOutcome =
  | { status: 'sent'; awaitingConfirmation?: boolean }
  | { status: 'failed'; failure: FailureClass; retryAfterMs?: number }
  | { status: 'filtered'; reason: string }
  | 'missing';

export interface FakeChannelOptions {
  name?: `channel:${string}`;
  kinds?: IdentityKind[];
  idempotent?: boolean;
  maxPerSend?: number;
  ratePerSecond?: number;
  maxSendsPerDay?: number;
  accounts?: string[];
  /** Sends a batch with `job` as one provider job (`job-<n>`), every message sent by it. */
  platformJobs?: boolean;
  /** What the provider does with a message on its n-th send (0-based). Default: sent. */
  outcome?(message: OutboundMessage, n: number): FakeOutcome;
  /** Whether the n-th call (0-based) throws. */
  throws?(call: number): boolean;
  queryStatus?(batch: OutboundBatch): SendOutcome[];
}

export type FakeChannel = ChannelPlugin & { calls: OutboundBatch[]; queries: OutboundBatch[] };

/** A tiny in-test channel: it records every call and answers as told. */
export function fakeChannel(options: FakeChannelOptions = {}): FakeChannel {
  const kinds = options.kinds ?? ['phone'];
  const sends = new Map<string, number>();
  const calls: OutboundBatch[] = [];
  const queries: OutboundBatch[] = [];
  const channel: FakeChannel = {
    kind: 'channel',
    name: options.name ?? 'channel:test',
    limits: {
      maxRecipientsPerSend: options.maxPerSend ?? 2,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: options.idempotent ?? false,
      ...(options.ratePerSecond === undefined ? {} : { ratePerSecond: options.ratePerSecond }),
      ...(options.maxSendsPerDay === undefined ? {} : { maxSendsPerDay: options.maxSendsPerDay }),
      ...(options.platformJobs ? { platformJobs: true } : {}),
    },
    identityKinds: kinds,
    accounts: options.accounts ?? [],
    calls,
    queries,
    address: (identities) => identities.find((i) => kinds.includes(i.kind))?.value,
    async send(batch) {
      calls.push(structuredClone(batch));
      if (options.throws?.(calls.length - 1)) throw new Error('provider timed out');
      if (batch.job) {
        const job = `job-${calls.length}`;
        return batch.messages.map((m) => ({
          id: m.id,
          status: 'sent',
          providerMessageId: `${job}:${m.id}`,
          byJob: job,
        }));
      }
      return batch.messages.flatMap((message): SendOutcome[] => {
        const n = sends.get(message.address) ?? 0;
        sends.set(message.address, n + 1);
        const outcome = options.outcome?.(message, n) ?? { status: 'sent' };
        if (outcome === 'missing') return [];
        if (outcome.status === 'sent')
          return [{ id: message.id, providerMessageId: `pm-${message.id}-${n}`, ...outcome }];
        if (outcome.status === 'filtered') return [{ id: message.id, ...outcome }];
        return [{ id: message.id, error: `fake ${outcome.failure}`, ...outcome }];
      });
    },
  };
  if (options.queryStatus) {
    const query = options.queryStatus;
    channel.queryStatus = async (batch) => {
      queries.push(structuredClone(batch));
      return query(batch);
    };
  }
  return channel;
}
