import type {
  Campaign,
  ChannelPlugin,
  RecipientCheck,
  RecipientFact,
  RecipientFacts,
  RecipientFactsQuery,
} from '@qunfa/core';
import { createTestEngine, makeCampaign, makeContact } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-window.js';
import { recipientRules } from './recipient-rules.js';

/** A facts port over a map; it records its calls. */
function fakeFacts(facts: Record<string, Partial<RecipientFact>>): RecipientFacts & {
  calls: RecipientFactsQuery[];
} {
  const calls: RecipientFactsQuery[] = [];
  return {
    calls,
    async recipientFacts(query) {
      calls.push(query);
      return new Map(
        query.contactIds.map((id) => [
          id,
          { contactId: id, timeZone: 'Asia/Shanghai', suppressions: [], sentSince: 0, ...facts[id] },
        ]),
      );
    },
  };
}

const campaign: Campaign = makeCampaign({ id: '7' });
const batch = (ids: string[]): RecipientCheck[] =>
  ids.map((id) => ({ deliveryId: `d${id}`, contactId: id, channel: 'channel:test' }));
const noon = new Date('2024-05-01T04:00:00Z'); // 12:00 in Shanghai

async function judge(rules: ReturnType<typeof recipientRules>, checks: RecipientCheck[], now = noon) {
  const verdicts = [];
  for (const rule of rules)
    verdicts.push(...((await rule.checkRecipients?.(checks, { campaign, now })) ?? []));
  return verdicts;
}

describe('recipient rules', () => {
  it('make one facts query per batch for all three rules', async () => {
    const facts = fakeFacts({});
    const rules = recipientRules({ facts });
    expect(rules.map((r) => r.name)).toEqual(['rule:suppression', 'rule:frequency-cap', 'rule:quiet-hours']);
    await judge(rules, batch(['1', '2', '3']));
    expect(facts.calls).toEqual([
      {
        workspaceId: '1',
        campaignId: '7',
        contactIds: ['1', '2', '3'],
        sentSince: new Date(noon.getTime() - 30 * 86_400_000),
      },
    ]);
  });

  it('suppress blacklisted, complaining, unsubscribed and opted-out contacts with the reason', async () => {
    const facts = fakeFacts({
      '1': { suppressions: ['blacklisted'] },
      '2': { suppressions: ['complained'] },
      '3': { suppressions: ['unsubscribed'] },
      '5': { suppressions: ['opted_out'] },
    });
    expect(await judge(recipientRules({ facts }), batch(['1', '2', '3', '4', '5']))).toEqual([
      { deliveryId: 'd1', action: 'suppress', reason: 'blacklisted' },
      { deliveryId: 'd2', action: 'suppress', reason: 'complained' },
      { deliveryId: 'd3', action: 'suppress', reason: 'unsubscribed' },
      { deliveryId: 'd5', action: 'suppress', reason: 'opted_out' },
    ]);
  });

  it('cap marketing messages per contact over the configured window', async () => {
    const facts = fakeFacts({ '1': { sentSince: 2 }, '2': { sentSince: 1 } });
    const rules = recipientRules({ facts, frequencyCap: { max: 2, windowDays: 7 } });
    expect(await judge(rules, batch(['1', '2']))).toEqual([
      { deliveryId: 'd1', action: 'suppress', reason: 'frequency_cap' },
    ]);
    expect(facts.calls[0]!.sentSince).toEqual(new Date(noon.getTime() - 7 * 86_400_000));
  });

  it('leave customer groups out of the frequency cap, which counts messages to a person', async () => {
    const facts = fakeFacts({ '1': { sentSince: 9, kind: 'group' }, '2': { sentSince: 9, kind: 'person' } });
    const rules = recipientRules({ facts, frequencyCap: { max: 2, windowDays: 7 } });
    expect(await judge(rules, batch(['1', '2']))).toEqual([
      { deliveryId: 'd2', action: 'suppress', reason: 'frequency_cap' },
    ]);
  });

  it('defer a recipient in quiet hours to the end of the period in its own time zone', async () => {
    const facts = fakeFacts({ '1': { timeZone: 'Asia/Shanghai' }, '2': { timeZone: 'Europe/London' } });
    const lateInShanghai = new Date('2024-05-01T15:30:00Z'); // 23:30 Shanghai, 16:30 London
    expect(await judge(recipientRules({ facts }), batch(['1', '2']), lateInShanghai)).toEqual([
      {
        deliveryId: 'd1',
        action: 'defer',
        until: new Date('2024-05-02T00:00:00Z'),
        reason: 'quiet_hours',
      },
    ]);
  });

  it('take the campaign quiet hours first, then the workspace, then their own default', async () => {
    const lateInShanghai = new Date('2024-05-01T15:30:00Z'); // 23:30
    const morning = new Date('2024-05-01T23:30:00Z'); // 07:30
    const judgeWith = async (
      campaignQuiet: Campaign['quietHours'],
      workspaceQuiet: RecipientFact['quietHours'],
      enabled = true,
      now = lateInShanghai,
    ) => {
      const facts = fakeFacts({ '1': { quietHours: workspaceQuiet } });
      const [rule] = recipientRules({ facts, quietHours: { enabled } }).filter(
        (r) => r.name === 'rule:quiet-hours',
      );
      return rule!.checkRecipients!(batch(['1']), {
        campaign: { ...campaign, quietHours: campaignQuiet },
        now,
      });
    };
    const deferredTo = (iso: string) => [
      { deliveryId: 'd1', action: 'defer', until: new Date(iso), reason: 'quiet_hours' },
    ];
    expect(await judgeWith(null, null)).toEqual(deferredTo('2024-05-02T00:00:00Z'));
    expect(await judgeWith(null, null, false)).toEqual([]);
    expect(await judgeWith(null, { start: '23:00', end: '07:00' }, false)).toEqual(
      deferredTo('2024-05-01T23:00:00Z'),
    );
    expect(await judgeWith(null, 'off')).toEqual([]);
    expect(await judgeWith('off', { start: '23:00', end: '07:00' })).toEqual([]);
    expect(await judgeWith({ start: '21:00', end: '09:00' }, 'off', true, morning)).toEqual(
      deferredTo('2024-05-02T01:00:00Z'),
    );
  });

  it('warn before the start of a campaign that turned quiet hours off', async () => {
    const [rule] = recipientRules({ facts: fakeFacts({}) }).filter((r) => r.name === 'rule:quiet-hours');
    const ctx = { audienceSize: 1, now: noon };
    expect(await rule!.checkCampaign!({ ...campaign, quietHours: 'off' }, ctx)).toEqual([
      expect.objectContaining({ level: 'warn', code: 'QUIET_HOURS_OFF' }),
    ]);
    expect(await rule!.checkCampaign!(campaign, ctx)).toEqual([]);
  });

  it('compute the end of a quiet period before and after midnight, and for a same-day window', () => {
    const w = { start: 22 * 60, end: 8 * 60 };
    expect(quietUntil(new Date('2024-05-01T14:00:00Z'), 'Asia/Shanghai', w)).toEqual(
      new Date('2024-05-02T00:00:00Z'),
    );
    expect(quietUntil(new Date('2024-05-01T19:00:00Z'), 'Asia/Shanghai', w)).toEqual(
      new Date('2024-05-02T00:00:00Z'),
    );
    expect(quietUntil(new Date('2024-05-01T00:00:00Z'), 'Asia/Shanghai', w)).toBeUndefined();
    expect(
      quietUntil(new Date('2024-05-01T05:00:00Z'), 'Asia/Shanghai', { start: 12 * 60, end: 14 * 60 }),
    ).toEqual(new Date('2024-05-01T06:00:00Z'));
  });

  it('refuse bad options with the rule named', () => {
    expect(() => recipientRules({ facts: fakeFacts({}), quietHours: { start: '25:00' } })).toThrow(
      /quietHours.start/,
    );
    expect(() => recipientRules({} as never)).toThrow(/facts/);
  });
});

describe('quiet hours through the kernel, with a fake clock', () => {
  it('defers a batch claimed at 23:00 to 08:00 and sends it then', async () => {
    const sent: string[] = [];
    const channel: ChannelPlugin = {
      kind: 'channel',
      name: 'channel:test',
      limits: {
        maxRecipientsPerSend: 10,
        contentTypes: ['text'],
        receipts: false,
        recall: false,
        idempotencyKeys: false,
      },
      identityKinds: ['phone'],
      accounts: [],
      address: (ids) => ids.find((i) => i.kind === 'phone')?.value,
      async send(batch) {
        sent.push(...batch.messages.map((m) => m.address));
        return batch.messages.map((m) => ({ id: m.id, status: 'sent', providerMessageId: `p${m.id}` }));
      },
    };
    const facts = fakeFacts({ '2': { timeZone: 'Europe/London' } });
    const t = createTestEngine({
      plugins: [channel, ...recipientRules({ facts })],
      start: '2024-05-01T15:00:00Z', // 23:00 in Shanghai, 16:00 in London
    });
    await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
    await t.addCampaign({ id: '1' });
    await t.engine.start({ workspaceId: '1', campaignId: '1', actor: t.actor });
    await t.drain();
    expect(sent).toEqual(['+8613800000002']);
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['queued', 'sent']);
    await t.drain({ advance: true });
    expect(t.clock.now()).toEqual(new Date('2024-05-02T00:00:00Z'));
    expect(sent).toEqual(['+8613800000002', '+8613800000001']);
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['sent', 'sent']);
  });
});
