import { describe, expect, it } from 'vitest';
import type { ContactIdentity, IdentityKind } from '../domain/contact.js';
import type { Content } from '../domain/content.js';
import { failureClasses } from '../domain/failure.js';
import type { ChannelContext, ChannelPlugin, OutboundBatch, SendOutcome } from '../plugins/channel.js';
import { describeCallbackConformance } from './channel-conformance-callbacks.js';
import {
  attemptsByAddress,
  type ChannelCallbackProbe,
  type ChannelProviderProbe,
} from './channel-conformance-probe.js';
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
  /** An address the provider refuses (a malformed number): its message must fail `invalid_recipient`. */
  invalidAddress?: string;
  /** The context each hook gets. Default: `testChannelContext()` (system clock, fresh memory state). */
  context?(): ChannelContext;
  /** A view of the provider (its fake): request sizes, retries, outages. */
  provider?: ChannelProviderProbe;
  /** Forged and genuine provider pushes, for a channel with `callback`. */
  callbacks?: ChannelCallbackProbe;
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

/** What every conformance test needs: the channel, its batches, its context. */
export interface ConformanceKit {
  options: ChannelConformanceOptions;
  make(): Promise<ChannelPlugin>;
  context(): ChannelContext;
  batchOf(channel: ChannelPlugin, size: number, key: string, extra?: string[]): OutboundBatch;
  expectOneOutcomeEach(batch: OutboundBatch, outcomes: SendOutcome[]): void;
}

let run = 0;

/**
 * Checks a channel against what the kernel relies on: naming and addressing, one outcome per
 * message with a failure class from the documented set and no personal data, provider requests
 * within the documented size and no retry loop inside the channel (with a `provider` probe),
 * callbacks verified so a forged one rejects and writes nothing, and `queryStatus` agreeing with
 * `send`. Call it at the top level of a vitest file.
 */
export function describeChannelConformance(
  name: string,
  makeChannel: () => ChannelPlugin | Promise<ChannelPlugin>,
  options: ChannelConformanceOptions = {},
): void {
  const prefix = `cf${++run}-${Date.now().toString(36)}`;
  let seq = 0;
  const identities = (channel: ChannelPlugin, i: number) =>
    options.identities?.(i) ?? [sampleIdentity(channel.identityKinds[0] ?? 'phone', i)];
  const kit: ConformanceKit = {
    options,
    make: async () => makeChannel(),
    context: () => options.context?.() ?? testChannelContext(),
    batchOf(channel, size, key, extra = []) {
      const unique = `${prefix}-${key}-${++seq}`;
      const addresses = [
        ...Array.from({ length: size }, (_, i) => channel.address(identities(channel, i)) ?? ''),
        ...extra,
      ];
      return {
        batchId: unique,
        campaignId: 'conformance',
        account: channel.accounts[0] ?? null,
        idempotencyKey: unique,
        messages: addresses.map((address, i) => ({
          id: `${unique}-${i}`,
          address,
          content: options.content ?? { type: 'text', text: 'conformance test' },
        })),
      };
    },
    expectOneOutcomeEach(batch, outcomes) {
      expect(Array.isArray(outcomes)).toBe(true);
      expect(outcomes.map((o) => o.id).sort()).toEqual(batch.messages.map((m) => m.id).sort());
      const addressOf = new Map(batch.messages.map((m) => [m.id, m.address]));
      for (const outcome of outcomes) {
        expect(['sent', 'failed', 'uncertain', 'filtered']).toContain(outcome.status);
        if (outcome.status === 'uncertain') expect(typeof outcome.error).toBe('string');
        if (outcome.status === 'filtered') expect(typeof outcome.reason).toBe('string');
        if (outcome.status !== 'failed') continue;
        expect(failureClasses).toContain(outcome.failure);
        expect(typeof outcome.error).toBe('string');
        const address = addressOf.get(outcome.id) ?? '';
        if (address.length >= 6) expect(outcome.error).not.toContain(address);
        if (outcome.retryAfterMs !== undefined) expect(outcome.retryAfterMs).toBeGreaterThanOrEqual(0);
      }
    },
  };

  describe(`Channel conformance: ${name}`, () => {
    describeBasics(kit, identities);
    if (options.provider) describeProviderConformance(kit, options.provider);
    describeCallbackConformance(kit);
    describeQueryStatusConformance(kit);
  });
}

function describeBasics(
  kit: ConformanceKit,
  identities: (channel: ChannelPlugin, i: number) => ContactIdentity[],
): void {
  it('is a namespaced channel with sane limits', async () => {
    const channel = await kit.make();
    expect(channel.kind).toBe('channel');
    expect(channel.name).toMatch(/^channel:[a-z0-9][a-z0-9-]*$/);
    const { limits } = channel;
    expect(Number.isInteger(limits.maxRecipientsPerSend)).toBe(true);
    expect(limits.maxRecipientsPerSend).toBeGreaterThan(0);
    for (const n of [limits.maxSendsPerDay, limits.ratePerSecond, limits.maxTextLength])
      if (n !== undefined) expect(n).toBeGreaterThan(0);
    expect(limits.contentTypes.length).toBeGreaterThan(0);
    expect(channel.identityKinds.length).toBeGreaterThan(0);
  });

  it('addresses what it can, and nothing else', async () => {
    const channel = await kit.make();
    for (let i = 0; i < 3; i++) expect(typeof channel.address(identities(channel, i))).toBe('string');
    for (const set of [[], ...(kit.options.unaddressable ?? [])])
      expect(channel.address(set)).toBeUndefined();
  });

  it('returns exactly one outcome per message, failures classed and without the address', async () => {
    const channel = await kit.make();
    const batch = kit.batchOf(channel, Math.min(3, channel.limits.maxRecipientsPerSend), 'small');
    kit.expectOneOutcomeEach(batch, await channel.send(batch, kit.context()));
  });

  it('takes a full batch of maxRecipientsPerSend', async () => {
    const channel = await kit.make();
    const size = Math.min(channel.limits.maxRecipientsPerSend, kit.options.maxBatchForTest ?? 500);
    const batch = kit.batchOf(channel, size, 'full');
    kit.expectOneOutcomeEach(batch, await channel.send(batch, kit.context()));
  });

  const invalid = kit.options.invalidAddress;
  if (invalid !== undefined) {
    it('fails a recipient the provider refuses as invalid_recipient, and only that one', async () => {
      const channel = await kit.make();
      const batch = kit.batchOf(channel, Math.min(2, channel.limits.maxRecipientsPerSend - 1), 'invalid', [
        invalid,
      ]);
      const outcomes = await channel.send(batch, kit.context());
      kit.expectOneOutcomeEach(batch, outcomes);
      const last = batch.messages.at(-1)!.id;
      expect(outcomes.find((o) => o.id === last)).toMatchObject({
        status: 'failed',
        failure: 'invalid_recipient',
      });
      expect(outcomes.filter((o) => o.id !== last).every((o) => o.status === 'sent')).toBe(true);
    });
  }
}

function describeProviderConformance(kit: ConformanceKit, probe: ChannelProviderProbe): void {
  const maxAttempts = probe.maxAttemptsPerRecipient ?? 1;

  it('keeps every provider request within the documented size, each recipient in one', async () => {
    const channel = await kit.make();
    const size = Math.min(channel.limits.maxRecipientsPerSend, kit.options.maxBatchForTest ?? 500);
    const batch = kit.batchOf(channel, size, 'sizes');
    const before = probe.sendRequests().length;
    kit.expectOneOutcomeEach(batch, await channel.send(batch, kit.context()));
    const requests = probe.sendRequests().slice(before);
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.length).toBeLessThanOrEqual(probe.maxRecipientsPerRequest);
    const attempts = attemptsByAddress(requests);
    for (const m of batch.messages) expect(attempts.get(m.address) ?? 0).toBe(1);
  });

  const outage = probe.outage?.bind(probe);
  if (!outage) return;
  it('on a provider outage fails the batch as network, without a retry loop, and recovers', async () => {
    const channel = await kit.make();
    const batch = kit.batchOf(channel, Math.min(3, channel.limits.maxRecipientsPerSend), 'outage');
    const before = probe.sendRequests().length;
    const restore = outage();
    let outcomes: SendOutcome[];
    try {
      outcomes = await channel.send(batch, kit.context());
    } finally {
      await restore();
    }
    kit.expectOneOutcomeEach(batch, outcomes);
    for (const o of outcomes) expect(o).toMatchObject({ status: 'failed', failure: 'network' });
    const attempts = attemptsByAddress(probe.sendRequests().slice(before));
    for (const m of batch.messages) expect(attempts.get(m.address) ?? 0).toBeLessThanOrEqual(maxAttempts);

    const again = kit.batchOf(channel, batch.messages.length, 'after-outage');
    const recovered = await channel.send(again, kit.context());
    kit.expectOneOutcomeEach(again, recovered);
    expect(recovered.some((o) => o.status === 'sent')).toBe(true);
  });
}

function describeQueryStatusConformance(kit: ConformanceKit): void {
  it('queryStatus, where there is one, agrees with send', async () => {
    const channel = await kit.make();
    if (!channel.queryStatus) return;
    const extra = kit.options.invalidAddress === undefined ? [] : [kit.options.invalidAddress];
    const size = Math.min(3, channel.limits.maxRecipientsPerSend - extra.length);
    const batch = kit.batchOf(channel, size, 'query', extra);
    const ctx = kit.context();
    const sent = await channel.send(batch, ctx);
    kit.expectOneOutcomeEach(batch, sent);
    const queried = await channel.queryStatus(batch, ctx);
    const ids = queried.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(batch.messages.some((m) => m.id === id)).toBe(true);
    for (const outcome of sent) {
      const found = queried.find((q) => q.id === outcome.id);
      if (outcome.status === 'sent') {
        expect(found, `queryStatus does not report ${outcome.id}, which send said was sent`).toBeDefined();
        expect(found?.status).toBe('sent');
        if (outcome.providerMessageId && found?.providerMessageId)
          expect(found.providerMessageId).toBe(outcome.providerMessageId);
      } else if (found) {
        expect(found.status).toBe('failed');
      }
    }
  });
}
