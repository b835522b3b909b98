import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../domain/campaign.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const H = 3_600_000;
const CAP = 'the follower already received 4 mass messages this month';

describe('engine: a recipient the platform filters at send time', () => {
  it('is filtered: counted, never retried, never handed to the next step, even with a window', async () => {
    const oa = fakeChannel({
      name: 'channel:oa',
      kinds: ['oa_openid'],
      outcome: (m) => (m.address === 'o-capped' ? { status: 'filtered', reason: CAP } : { status: 'sent' }),
    });
    const sms = fakeChannel({ name: 'channel:sms', kinds: ['phone'] });
    const t = createTestEngine({ plugins: [oa, sms] });
    await t.addContacts(
      ['o-capped', 'o-free'].map((openid, i) =>
        makeContact({ id: String(i + 1) }, [
          { kind: 'oa_openid', value: openid },
          { kind: 'phone', value: `+8613900000${i}` },
        ]),
      ),
    );
    await t.addCampaign({
      id: '1',
      channelPlan: [
        { channel: 'channel:oa', escalateAfter: { ms: 2 * H, unless: 'delivered' } },
        { channel: 'channel:sms' },
      ],
      retryPolicy: {
        ...defaultRetryPolicy,
        escalateOn: ['invalid_recipient', 'blocked_by_user', 'account_restricted', 'unknown'],
      },
    });
    await t.engine.start({ workspaceId: '1', campaignId: '1', actor: t.actor });
    await t.drain();
    await t.clock.advance(3 * H);
    await t.drain({ advance: true });
    const capped = t.store.deliveries('1').find((d) => d.contactId === '1')!;
    expect(capped).toMatchObject({
      state: 'filtered',
      channel: 'channel:oa',
      failureClass: null,
      lastError: CAP,
    });
    expect(t.store.attempts(capped.id).map((a) => [a.status, a.error])).toEqual([['filtered', CAP]]);
    expect(oa.calls.flatMap((c) => c.messages.map((m) => m.address)).sort()).toEqual(['o-capped', 'o-free']);
    // The window hands on the one sent without a receipt; the filtered one stays where it is.
    expect(sms.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['+86139000001']);
    expect(await t.store.counters('1')).toMatchObject({ total: 2, filtered: 1, failed: 0, sent: 1 });
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });
});
