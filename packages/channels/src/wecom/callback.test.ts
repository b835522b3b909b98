import { type CallbackRequest, isQunfaError, MemoryPluginState, type PluginState } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { wecom } from './channel.js';
import type { FakeWecom } from './fake-server.js';
import { groupHealth, readGroup } from './groups.js';
import { stateRelations } from './relations.js';
import { AES_KEY, AGENT_ID, APP_SECRET, CB_TOKEN, CORP_ID, wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A plugin state that counts writes, to show a refused request wrote nothing. */
function countingState(now: () => Date): PluginState & { writes: number } {
  const inner = new MemoryPluginState({ now });
  const counted = {
    writes: 0,
    get: inner.get.bind(inner),
    async set(key: string, value: unknown, ttl?: number) {
      counted.writes++;
      return inner.set(key, value, ttl);
    },
    async setIfAbsent(key: string, value: unknown, ttl?: number) {
      const won = await inner.setIfAbsent(key, value, ttl);
      if (won) counted.writes++;
      return won;
    },
    async delete(key: string) {
      counted.writes++;
      return inner.delete(key);
    },
  };
  return counted;
}

async function fixture() {
  const f = await wecomFixture({ callback: { token: CB_TOKEN, encodingAESKey: AES_KEY } });
  server = f.server;
  const state = countingState(f.clock.now);
  const ctx = testChannelContext({ now: f.clock.now, state });
  const handle = (req: CallbackRequest) => f.plugin.callback!(req, ctx);
  return { ...f, state, ctx, handle };
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (error) {
    return isQunfaError(error) ? error.code : String(error);
  }
};

const textMessage = (content: string, msgId = '1234567890123456') => ({
  FromUserName: 'Zhangsan',
  CreateTime: Math.floor(new Date('2025-03-10T02:00:00Z').getTime() / 1000),
  MsgType: 'text',
  Content: content,
  MsgId: msgId,
  AgentID: AGENT_ID,
});

describe('callbacks', () => {
  it('answers the URL check with the decrypted echostr', async () => {
    const { server, handle } = await fixture();
    const result = await handle(server.verifyUrl('echo-4815162342'));
    expect(result).toEqual({ response: { body: 'echo-4815162342' } });
  });

  it('a member message to the app becomes an inbound message', async () => {
    const { server, handle } = await fixture();
    const result = await handle(server.push(textMessage('TD')));
    expect(result?.inbound).toEqual([
      {
        providerMessageId: '1234567890123456',
        from: { kind: 'wecom_userid', value: 'Zhangsan' },
        account: String(AGENT_ID),
        at: new Date('2025-03-10T02:00:00Z'),
        text: 'TD',
      },
    ]);
  });

  it.each([
    [
      'a forged signature',
      (r: CallbackRequest) => ({ ...r, query: { ...r.query, msg_signature: 'a'.repeat(40) } }),
    ],
    ['a missing signature', (r: CallbackRequest) => ({ ...r, query: { ...r.query, msg_signature: '' } })],
    [
      'a changed body',
      (r: CallbackRequest) => ({ ...r, body: r.body.replace('<Encrypt><![CDATA[', '<Encrypt><![CDATA[x') }),
    ],
    ['a stale timestamp', (r: CallbackRequest) => r],
  ])('refuses %s with nothing written', async (what, tamper) => {
    const f = await fixture();
    const request = f.server.push(textMessage('hello'));
    if (what === 'a stale timestamp') f.clock.advance(10 * 60_000);
    expect(await codeOf(f.handle(tamper(request)))).toBe('UNAUTHENTICATED');
    expect(f.state.writes).toBe(0);
  });

  it('refuses a push for another corp (receive id) and one under the wrong key, nothing written', async () => {
    const f = await fixture();
    expect(
      await codeOf(f.handle(f.server.push(textMessage('x'), { receiveId: 'wwsomeothercorp0000' }))),
    ).toBe('UNAUTHENTICATED');
    const otherKey = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      callback: { token: CB_TOKEN, encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg' },
      baseUrl: f.server.url,
    });
    expect(await codeOf(otherKey.callback!(f.server.push(textMessage('y')), f.ctx))).toBe('UNAUTHENTICATED');
    expect(f.state.writes).toBe(0);
  });

  it('drops a replay: the same request again returns nothing and writes nothing', async () => {
    const f = await fixture();
    const request = f.server.push(textMessage('hello'));
    expect((await f.handle(request))?.inbound).toHaveLength(1);
    const writes = f.state.writes;
    expect(await f.handle(request)).toEqual({ response: { body: '' } });
    expect(f.state.writes).toBe(writes);
  });

  it('refuses a nonce used again with another body', async () => {
    const f = await fixture();
    await f.handle(f.server.push(textMessage('a'), { nonce: 'n1' }));
    const writes = f.state.writes;
    expect(await codeOf(f.handle(f.server.push(textMessage('b', '99'), { nonce: 'n1' })))).toBe(
      'UNAUTHENTICATED',
    );
    expect(f.state.writes).toBe(writes);
  });

  it('records customers added and deleted by staff or by the customer (change_external_contact)', async () => {
    const f = await fixture();
    const at = Math.floor(f.clock.now().getTime() / 1000);
    const event = (ChangeType: string, UserID: string) => ({
      FromUserName: 'sys',
      CreateTime: at,
      MsgType: 'event',
      Event: 'change_external_contact',
      ChangeType,
      UserID,
      ExternalUserID: 'wmCustomer0001',
    });
    await f.handle(f.server.push(event('add_external_contact', 'zhangsan')));
    await f.handle(f.server.push(event('add_external_contact', 'lisi')));
    const deleted = await f.handle(f.server.push(event('del_follow_user', 'lisi')));
    expect(deleted?.reach).toEqual([
      {
        identity: { kind: 'wecom_external_userid', value: 'wmCustomer0001' },
        account: 'lisi',
        change: 'removed_by_customer',
        at: new Date(at * 1000),
      },
    ]);
    const relations = await stateRelations(f.state).get(['wmCustomer0001']);
    expect(relations.get('wmCustomer0001')).toEqual([
      // When the callback saw each: a complete sync that began later and missed it would end it.
      { userid: 'lisi', addedAt: at, removed: 'by_customer', seenAt: f.clock.now().getTime() },
      { userid: 'zhangsan', addedAt: at, seenAt: f.clock.now().getTime() },
    ]);
  });

  it('counts group joins and leaves once per member-list version (change_external_chat)', async () => {
    const f = await fixture();
    const at = Math.floor(f.clock.now().getTime() / 1000);
    const update = (UpdateDetail: string, MemChangeCnt: number, CurMemVer: string) => ({
      FromUserName: 'sys',
      CreateTime: at,
      MsgType: 'event',
      Event: 'change_external_chat',
      ChatId: 'wrChat0001',
      ChangeType: 'update',
      UpdateDetail,
      MemChangeCnt,
      CurMemVer,
    });
    await f.handle(f.server.push(update('add_member', 3, 'v2')));
    await f.handle(f.server.push(update('add_member', 3, 'v2')));
    await f.handle(f.server.push(update('del_member', 1, 'v3')));
    const group = await readGroup(f.state, 'wrChat0001');
    expect(group.months['2025-03']).toEqual({ joins: 3, leaves: 1 });
    expect(groupHealth({ ...group, members: 40 }, '2025-03')).toMatchObject({
      joins: 3,
      leaves: 1,
      quitRate: 1 / 38,
      healthy: true,
    });
  });

  it('without callback settings, refuses as FORBIDDEN', async () => {
    const f = await fixture();
    const bare = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      baseUrl: f.server.url,
    });
    expect(await codeOf(bare.callback!(f.server.push(textMessage('x')), f.ctx))).toBe('FORBIDDEN');
  });
});
