import { describe, expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import { MemoryPluginState } from '../memory/plugin-state.js';
import type { ChannelPlugin, OutboundBatch } from '../plugins/channel.js';
import type { ReplyMessage } from '../plugins/reply.js';
import { silentLogger } from '../ports/logger.js';
import { sendReply } from './send-reply.js';

const ctx = {
  signal: new AbortController().signal,
  now: () => new Date('2025-01-01T00:00:00Z'),
  state: new MemoryPluginState(),
  logger: silentLogger,
};
const message: ReplyMessage = {
  inReplyTo: { providerMessageId: 'in-1' },
  to: { kind: 'phone', value: '+8613800000001' },
  account: 'acc-1',
  content: { type: 'text', text: '您好，已为您处理' },
  idempotencyKey: 'reply-7',
};

function channel(overrides: Partial<ChannelPlugin> = {}): ChannelPlugin & { batches: OutboundBatch[] } {
  const batches: OutboundBatch[] = [];
  return {
    kind: 'channel',
    name: 'channel:test',
    limits: {
      maxRecipientsPerSend: 10,
      contentTypes: ['text'],
      receipts: false,
      recall: false,
      idempotencyKeys: true,
    },
    identityKinds: ['phone'],
    accounts: ['acc-1'],
    address: (ids) => ids.find((i) => i.kind === 'phone')?.value,
    send: async (batch) => {
      batches.push(batch);
      return batch.messages.map((m) => ({
        id: m.id,
        status: 'sent' as const,
        providerMessageId: `p-${m.id}`,
      }));
    },
    batches,
    ...overrides,
  };
}

describe('sendReply', () => {
  it('sends a one-recipient batch through send when the channel has no reply hook', async () => {
    const c = channel();
    const outcome = await sendReply(c, message, ctx);
    expect(outcome).toEqual({ id: 'reply-7', status: 'sent', providerMessageId: 'p-reply-7' });
    expect(c.batches).toEqual([
      {
        batchId: 'reply:reply-7',
        campaignId: '',
        account: 'acc-1',
        idempotencyKey: 'reply-7',
        messages: [{ id: 'reply-7', address: '+8613800000001', content: message.content }],
      },
    ]);
  });

  it('uses the reply hook when there is one', async () => {
    const seen: ReplyMessage[] = [];
    const c = channel({
      reply: async (m) => {
        seen.push(m);
        return { id: m.idempotencyKey, status: 'failed', failure: 'blocked_by_user', error: 'window closed' };
      },
    });
    expect((await sendReply(c, message, ctx)).status).toBe('failed');
    expect(seen).toEqual([message]);
    expect(c.batches).toEqual([]);
  });

  it('refuses an empty text, an unaddressable contact and a channel answering wrongly', async () => {
    const codes = async (run: Promise<unknown>) =>
      run.then(
        () => 'none',
        (e) => (isQunfaError(e) ? e.code : 'other'),
      );
    expect(await codes(sendReply(channel(), { ...message, content: { type: 'text', text: ' ' } }, ctx))).toBe(
      'INVALID_INPUT',
    );
    expect(
      await codes(sendReply(channel(), { ...message, to: { kind: 'email', value: 'a@b.c' } }, ctx)),
    ).toBe('INVALID_INPUT');
    expect(await codes(sendReply(channel({ send: async () => [] }), message, ctx))).toBe('PLUGIN_FAILED');
  });
});
