import { failureClasses, type OutboundBatch, type SendOutcome } from '@qunfa/core';
import { describeChannelConformance, testChannelContext } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { sandbox } from './channel.js';
import type { SandboxOptions } from './options.js';

/**
 * The channel contract, checked the way the kernel's conformance kit will: every message of a
 * batch gets exactly one outcome, in order, with a known failure class and no personal data.
 */
const configurations: [string, SandboxOptions][] = [
  ['defaults', {}],
  ['demo preset', { preset: 'demo' }],
  ['every class at 10 %', { failureRates: Object.fromEntries(failureClasses.map((c) => [c, 0.1])) }],
  ['not idempotent, quota of 50', { idempotent: false, maxSendsPerDay: 50, failureRates: { network: 0.3 } }],
  ['text only, 10 characters', { contentTypes: ['text'], maxTextLength: 10, failureRates: { unknown: 0.2 } }],
];

function randomBatch(round: number, size: number): OutboundBatch {
  const types = ['text', 'image', 'markdown'] as const;
  return {
    batchId: `b-${round}`,
    campaignId: 'c-1',
    account: null,
    idempotencyKey: `b-${round}:${round % 3}`,
    messages: Array.from({ length: size }, (_, i) => ({
      id: `d-${(round * 37 + i) % 300}-${i}`,
      address: `+86138${String(round * 1000 + i).padStart(8, '0')}`,
      content: { type: types[(round + i) % 3]!, text: 'x'.repeat((round * 7 + i) % 20) },
    })),
  };
}

function checkOutcomes(batch: OutboundBatch, outcomes: SendOutcome[]) {
  expect(outcomes.map((o) => o.id)).toEqual(batch.messages.map((m) => m.id));
  for (const [i, outcome] of outcomes.entries()) {
    const address = batch.messages[i]!.address;
    if (outcome.status === 'sent') {
      expect(outcome.providerMessageId).toMatch(/^sbx_/);
      continue;
    }
    if (outcome.status !== 'failed') throw new Error(`unexpected ${outcome.status}`);
    expect(failureClasses).toContain(outcome.failure);
    expect(outcome.error).not.toContain(address);
    if (outcome.failure === 'rate_limited') expect(outcome.retryAfterMs).toBeGreaterThanOrEqual(0);
    else expect(outcome.retryAfterMs).toBeUndefined();
  }
}

describe.each(configurations)('channel:sandbox conformance: %s', (_, options) => {
  it('gives one outcome per message, with known classes, over many batches', async () => {
    const channel = sandbox({ ...options, latencyMs: { min: 0, max: 2 } });
    const now = new Date('2025-03-01T02:00:00Z');
    const batches = Array.from({ length: 40 }, (_, round) =>
      randomBatch(round, 1 + ((round * 53) % channel.limits.maxRecipientsPerSend)),
    );
    const results = await Promise.all(
      batches.map((b) => channel.send(b, testChannelContext({ now: () => now }))),
    );
    for (const [i, outcomes] of results.entries()) checkOutcomes(batches[i]!, outcomes);
    const sent = results.flat().filter((o) => o.status === 'sent').length;
    expect(channel.provider.accepted().length).toBeLessThanOrEqual(sent);
  });

  it('answers an empty batch with no outcomes', async () => {
    const channel = sandbox({ ...options, latencyMs: { min: 0, max: 0 } });
    const empty = { ...randomBatch(0, 1), messages: [] };
    expect(await channel.send(empty, testChannelContext())).toEqual([]);
  });
});

// The kernel's kit, on the sandbox as the embedded default runs it and with every failure class.
describeChannelConformance('channel:sandbox (defaults)', () => sandbox({ latencyMs: { min: 0, max: 2 } }));
describeChannelConformance(
  'channel:sandbox (demo failures)',
  () => sandbox({ preset: 'demo', latencyMs: { min: 0, max: 2 } }),
  { maxBatchForTest: 200 },
);
