import { describe, expect, it } from 'vitest';
import type { InboundMessage, InboundRecorded } from '../domain/inbound.js';
import { QunfaError } from '../errors.js';
import { MemoryPluginState } from '../memory/plugin-state.js';
import type { CallbackRequest, ChannelPlugin } from '../plugins/channel.js';
import type { InboundSink } from '../ports/inbound-sink.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const request = (body: string, path = ''): CallbackRequest => ({
  method: 'POST',
  path,
  headers: {},
  query: {},
  body,
});

/** An inbound sink that keeps what it was given. */
function recordingSink(): InboundSink & { got: { channel: string; messages: InboundMessage[] }[] } {
  const got: { channel: string; messages: InboundMessage[] }[] = [];
  return {
    got,
    async record(channel, messages): Promise<InboundRecorded> {
      got.push({ channel, messages: [...messages] });
      return { recorded: messages.length, duplicates: 0, attributed: 0, unsubscribed: 0, unknownSenders: 0 };
    },
  };
}

const reply = (id: string): InboundMessage => ({
  providerMessageId: id,
  from: { kind: 'phone', value: '+8613800000001' },
  account: null,
  at: new Date('2026-01-01T00:00:00Z'),
  text: 'TD',
});

/** A channel whose callback is `<provider message id>:<state>` lines, or `reply:<id>`, signed by `ok:`. */
function callbackChannel(): ChannelPlugin & { seen: string[] } {
  const seen: string[] = [];
  return {
    ...fakeChannel({ idempotent: true }),
    seen,
    async callback(req, ctx) {
      seen.push(req.path);
      if (req.body === 'not-mine') return undefined;
      if (!req.body.startsWith('ok:')) throw new QunfaError('UNAUTHENTICATED', 'bad signature');
      // A replay guard kept in the shared state: the same nonce twice is refused.
      if (!(await ctx.state.setIfAbsent(`nonce/${req.query.nonce ?? req.body}`, 1, 60_000))) {
        throw new QunfaError('UNAUTHENTICATED', 'replayed');
      }
      const lines = req.body.slice(3).split(',').filter(Boolean);
      return {
        events: lines
          .filter((l) => !l.startsWith('reply:'))
          .map((l) => {
            const [id, state] = l.split(':');
            return { providerMessageId: id!, state: state as 'delivered', at: ctx.now() };
          }),
        inbound: lines.filter((l) => l.startsWith('reply:')).map((l) => reply(l.slice(6))),
        response: { contentType: 'application/json', body: '{"result":0}' },
      };
    },
  };
}

describe('engine: provider callbacks and inbound messages', () => {
  it('applies the receipts a callback carries, records its inbound messages and answers as the channel says', async () => {
    const channel = callbackChannel();
    const sink = recordingSink();
    const t = createTestEngine({ plugins: [channel], engine: { inbound: sink } });
    await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [a] = t.store.deliveries('1');
    const handled = await t.engine.handleCallback(
      'channel:test',
      request(`ok:${a!.providerMessageId}:delivered,reply:m-1`, '/app/1'),
    );
    expect(channel.seen).toEqual(['/app/1']);
    expect(handled?.response).toEqual({ contentType: 'application/json', body: '{"result":0}' });
    expect(handled?.receipts?.applied).toBe(1);
    expect(handled?.inbound?.recorded).toBe(1);
    expect(sink.got).toEqual([{ channel: 'channel:test', messages: [reply('m-1')] }]);
    expect((await t.store.counters('1')).delivered).toBe(1);
  });

  it('writes nothing for a forged or replayed callback, and says so for one that is not the channel’s', async () => {
    const channel = callbackChannel();
    const sink = recordingSink();
    const t = createTestEngine({ plugins: [channel], engine: { inbound: sink } });
    await expect(t.engine.handleCallback('channel:test', request('forged:reply:x'))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const once = { ...request('ok:reply:m-2'), query: { nonce: 'n-1' } };
    expect((await t.engine.handleCallback('channel:test', once))?.inbound?.recorded).toBe(1);
    await expect(t.engine.handleCallback('channel:test', once)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(sink.got).toHaveLength(1);
    expect(await t.engine.handleCallback('channel:test', request('not-mine'))).toBeUndefined();
    expect(await t.engine.handleCallback('channel:nope', request('ok:'))).toBeUndefined();
  });

  it('answers 200 success by default and polls inbound messages beside receipts', async () => {
    const polled: InboundMessage[][] = [[reply('p-1'), reply('p-2')], []];
    const channel: ChannelPlugin = {
      ...fakeChannel(),
      async callback() {
        return {};
      },
      async pollInbound() {
        return polled.shift() ?? [];
      },
    };
    const sink = recordingSink();
    const t = createTestEngine({ plugins: [channel], engine: { inbound: sink } });
    expect((await t.engine.handleCallback('channel:test', request('')))?.response).toEqual({
      body: 'success',
    });
    await t.engine.pollReceipts();
    await t.engine.pollReceipts();
    expect(sink.got).toEqual([{ channel: 'channel:test', messages: [reply('p-1'), reply('p-2')] }]);
  });

  it('gives every channel hook the shared state, scoped to the channel', async () => {
    const state = new MemoryPluginState();
    const tokens: (string | undefined)[] = [];
    const base = fakeChannel({ idempotent: true });
    const channel: ChannelPlugin = {
      ...base,
      async send(batch, ctx) {
        tokens.push(await ctx.state.get<string>('token'));
        await ctx.state.set('token', `t-${batch.batchId}`, 60_000);
        return base.send(batch, ctx);
      },
    };
    const t = createTestEngine({ plugins: [channel], engine: { pluginState: state } });
    await t.addContacts([1, 2, 3].map((i) => makeContact({ id: String(i) })));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    // Two batches of two and one: the second send sees the token the first one cached.
    expect(tokens[0]).toBeUndefined();
    expect(tokens[1]).toMatch(/^t-/);
    expect(await state.get('channel:test/token')).toMatch(/^t-/);
    expect(await state.get('token')).toBeUndefined();
  });
});
