import { describe, expect, it } from 'vitest';
import type { ContactIdentity, IdentityKind } from '../domain/contact.js';
import type { Content } from '../domain/content.js';
import { failureClasses } from '../domain/failure.js';
import type { ChannelPlugin, OutboundBatch, SendOutcome } from '../plugins/channel.js';
import { testChannelContext } from './channel-context.js';

export interface ChannelConformanceOptions {
  /** Identities of the i-th test recipient that the channel can address. Default: one of its first identity kind. */
  identities?(i: number): ContactIdentity[];
  /** Identity sets the channel must not address. Default: only the empty set. */
  unaddressable?: ContactIdentity[][];
  /** The content sent. Default: a short text. */
  content?: Content;
  /** Upper bound on the full-size batch sent, for channels allowing thousands. Default 500. */
  maxBatchForTest?: number;
}

function sampleIdentity(kind: IdentityKind, i: number): ContactIdentity {
  switch (kind) {
    case 'phone':
      return { kind, value: `+86138${String(i).padStart(8, '0')}` };
    case 'email':
      return { kind, value: `user${i}@example.com` };
    default:
      return { kind, value: `${kind}-${i}` };
  }
}

/** Checks a channel against what the kernel relies on: naming, addressing and one outcome per message. */
export function describeChannelConformance(
  name: string,
  makeChannel: () => ChannelPlugin | Promise<ChannelPlugin>,
  options: ChannelConformanceOptions = {},
): void {
  describe(`Channel conformance: ${name}`, () => {
    const identities = (channel: ChannelPlugin, i: number) =>
      options.identities?.(i) ?? [sampleIdentity(channel.identityKinds[0] ?? 'phone', i)];
    const content: Content = options.content ?? { type: 'text', text: 'conformance test' };

    const batchOf = (channel: ChannelPlugin, size: number, key: string): OutboundBatch => ({
      batchId: key,
      campaignId: 'conformance',
      account: channel.accounts[0] ?? null,
      idempotencyKey: key,
      messages: Array.from({ length: size }, (_, i) => ({
        id: `${key}-${i}`,
        address: channel.address(identities(channel, i)) ?? '',
        content,
      })),
    });

    const expectOneOutcomeEach = (batch: OutboundBatch, outcomes: SendOutcome[]) => {
      expect(Array.isArray(outcomes)).toBe(true);
      expect(outcomes.map((o) => o.id).sort()).toEqual(batch.messages.map((m) => m.id).sort());
      for (const outcome of outcomes) {
        expect(['sent', 'failed']).toContain(outcome.status);
        if (outcome.status === 'failed') {
          expect(failureClasses).toContain(outcome.failure);
          expect(typeof outcome.error).toBe('string');
        }
      }
    };

    it('is a namespaced channel with sane limits', async () => {
      const channel = await makeChannel();
      expect(channel.kind).toBe('channel');
      expect(channel.name).toMatch(/^channel:[a-z0-9][a-z0-9-]*$/);
      expect(Number.isInteger(channel.limits.maxRecipientsPerSend)).toBe(true);
      expect(channel.limits.maxRecipientsPerSend).toBeGreaterThan(0);
      expect(channel.limits.contentTypes.length).toBeGreaterThan(0);
      expect(channel.identityKinds.length).toBeGreaterThan(0);
    });

    it('addresses what it can, and nothing else', async () => {
      const channel = await makeChannel();
      for (let i = 0; i < 3; i++) expect(typeof channel.address(identities(channel, i))).toBe('string');
      for (const set of [[], ...(options.unaddressable ?? [])]) expect(channel.address(set)).toBeUndefined();
    });

    it('returns exactly one outcome per message', async () => {
      const channel = await makeChannel();
      const batch = batchOf(channel, Math.min(3, channel.limits.maxRecipientsPerSend), 'small');
      const outcomes = await channel.send(batch, testChannelContext());
      expectOneOutcomeEach(batch, outcomes);
    });

    it('takes a full batch of maxRecipientsPerSend', async () => {
      const channel = await makeChannel();
      const size = Math.min(channel.limits.maxRecipientsPerSend, options.maxBatchForTest ?? 500);
      const batch = batchOf(channel, size, 'full');
      const outcomes = await channel.send(batch, testChannelContext());
      expectOneOutcomeEach(batch, outcomes);
    });
  });
}
