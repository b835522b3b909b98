import { MemoryPluginState, MemoryRateLimiter, type OutboundBatch, type SendContext } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { wecom } from './channel.js';
import { type FakeWecom, type FakeWecomOptions, startFakeWecom } from './fake-server.js';
import type { WecomOptions } from './options.js';

export const CORP_ID = 'ww0123456789abcdef';
export const AGENT_ID = 1000002;
export const APP_SECRET = 'app-secret-0123456789';
export const CONTACT_SECRET = 'contact-secret-0123456789';
export const CB_TOKEN = 'cbToken123';
export const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** A fake corp and a channel pointed at it, sharing one clock, one plugin state and one limiter. */
export async function wecomFixture(
  fake: Partial<FakeWecomOptions> = {},
  channel: Partial<WecomOptions> = {},
) {
  let now = new Date('2025-03-10T02:00:00Z');
  const clock = { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  const server: FakeWecom = await startFakeWecom({
    corpId: CORP_ID,
    apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
    contactSecret: CONTACT_SECRET,
    now: clock.now,
    ...fake,
  });
  const plugin = wecom({
    corpId: CORP_ID,
    apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
    contactSecret: CONTACT_SECRET,
    callback: { token: CB_TOKEN, encodingAESKey: AES_KEY },
    baseUrl: server.url,
    busyBackoffMs: 1,
    ...channel,
  });
  const state = new MemoryPluginState({ now: clock.now });
  const limiter = new MemoryRateLimiter();
  const ctx: SendContext = testChannelContext({ now: clock.now, state, limiter });
  return { server, plugin, ctx, state, clock };
}

/** A batch of members `userids` with one content. */
export function memberBatch(
  userids: string[],
  content: OutboundBatch['messages'][number]['content'] = { type: 'text', text: '双十一会员日' },
  key = 'batch-1',
): OutboundBatch {
  return {
    batchId: key,
    campaignId: 'c-1',
    account: null,
    idempotencyKey: key,
    messages: userids.map((u, i) => ({ id: `d-${i + 1}`, address: `user:${u}`, content })),
  };
}

/** `n` members `member0001`… on the fake corp. */
export function addMembers(server: FakeWecom, n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => server.corp.addMember(`member${String(i + 1).padStart(4, '0')}`).userid,
  );
}

/** A batch of customers (`customer:<external_userid>`) with one content. */
export function customerBatch(
  externals: string[],
  content: OutboundBatch['messages'][number]['content'] = { type: 'text', text: '会员日 8 折' },
  key = 'cbatch-1',
): OutboundBatch {
  return {
    batchId: key,
    campaignId: 'c-1',
    account: null,
    idempotencyKey: key,
    messages: externals.map((e, i) => ({ id: `cd-${i + 1}`, address: `customer:${e}`, content })),
  };
}
