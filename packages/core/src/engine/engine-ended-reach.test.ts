import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

describe('engine: a failure moves the recipient on, never onto a channel whose relations ended', () => {
  it('skips an unfollowed Official Account for the next step that still reaches them', async () => {
    const personal = fakeChannel({
      name: 'channel:personal',
      kinds: ['wxid'],
      outcome: () => ({ status: 'failed', failure: 'blocked_by_user' }),
    });
    const oa = fakeChannel({ name: 'channel:oa', kinds: ['oa_openid'] });
    const sms = fakeChannel({ name: 'channel:sms', kinds: ['phone'] });
    const t = createTestEngine({ plugins: [personal, oa, sms] });
    await t.addContacts(
      ['1', '2'].map((id) =>
        makeContact({ id }, [
          { kind: 'wxid', value: `wxid_${id}` },
          { kind: 'oa_openid', value: `o-${id}` },
          { kind: 'phone', value: `+8613900000${id}` },
        ]),
      ),
    );
    // 1 unfollowed the account (its openid stays); 2 still follows it.
    await t.store.addReach({ contactId: '1', channel: 'channel:oa', account: 'wx-oa', ended: true });
    await t.store.addReach({ contactId: '2', channel: 'channel:oa', account: 'wx-oa', ended: false });
    await t.addCampaign({
      id: '1',
      channelPlan: [{ channel: 'channel:personal' }, { channel: 'channel:oa' }, { channel: 'channel:sms' }],
    });
    await t.engine.start({ workspaceId: '1', campaignId: '1', actor: t.actor });
    await t.drain({ advance: true });
    expect(oa.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['o-2']);
    expect(sms.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['+86139000001']);
    expect(t.store.deliveries('1').map((d) => [d.contactId, d.channel, d.state])).toEqual([
      ['1', 'channel:sms', 'sent'],
      ['2', 'channel:oa', 'sent'],
    ]);
  });
});
