import { describe, expect, it } from 'vitest';
import type { BatchSettledEvent } from '../ports/engine-observer.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

describe('engine observer', () => {
  it('is told of the start, every settled batch with each delivery’s outcome, and the completion', async () => {
    const batches: BatchSettledEvent[] = [];
    const seen: string[] = [];
    const t = createTestEngine({
      plugins: [
        fakeChannel({
          outcome: (m) =>
            m.address.endsWith('3') ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' },
        }),
      ],
      engine: {
        observer: {
          batchSettled: (e) => batches.push(e),
          campaignStarted: (e) => seen.push(`started ${e.campaignId} ${e.recipients}`),
          campaignCompleted: (e) => seen.push(`completed ${e.campaignId}`),
        },
      },
    });
    await t.addContacts(Array.from({ length: 4 }, (_, i) => makeContact({ id: String(i + 1) })));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ workspaceId: '1', campaignId: '1', actor: t.actor });
    await t.drain();
    expect(seen).toEqual(['started 1 4', 'completed 1']);
    const results = batches.flatMap((b) => b.results);
    expect(results.map((r) => [r.deliveryId, r.state]).sort()).toHaveLength(4);
    expect(results.filter((r) => r.state === 'failed').map((r) => r.failureClass)).toEqual([
      'invalid_recipient',
    ]);
    expect(batches.every((b) => b.campaignId === '1' && b.attempt === 1 && b.durationMs >= 0)).toBe(true);
  });
});

describe('engine.reply', () => {
  it('answers over the named channel with its own context, and refuses a channel that is not loaded', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel] });
    const outcome = await t.engine.reply(channel.name, {
      inReplyTo: { providerMessageId: 'in-1' },
      to: { kind: 'phone', value: '+8613800000001' },
      account: null,
      content: { type: 'text', text: '您好' },
      idempotencyKey: 'reply-1',
    });
    expect(outcome).toMatchObject({ id: 'reply-1', status: 'sent' });
    expect(channel.calls.map((c) => [c.idempotencyKey, c.messages.map((m) => m.content.text)])).toEqual([
      ['reply-1', ['您好']],
    ]);
    await expect(
      t.engine.reply('channel:absent', {
        inReplyTo: { providerMessageId: 'in-2' },
        to: { kind: 'phone', value: '+8613800000001' },
        account: null,
        content: { type: 'text', text: '您好' },
        idempotencyKey: 'reply-2',
      }),
    ).rejects.toMatchObject({ code: 'CHANNEL_NOT_FOUND' });
  });
});
