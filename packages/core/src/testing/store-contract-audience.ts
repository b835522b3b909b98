import { expect, it } from 'vitest';
import { type AudienceExpression, matchesAudience, tagHierarchy } from '../domain/audience.js';
import type { Tag } from '../domain/contact.js';
import { makeContact } from './fixtures.js';
import {
  claimAll,
  makePlan,
  type SeedContact,
  seedCampaign,
  seedContacts,
  t0,
  transition,
} from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

const DAY_MIN = 24 * 60;

/** Tag 5 nests under tag 1, tag 6 under tag 5 (three levels). */
const nested: Tag[] = [
  { id: '5', workspaceId: '1', name: 'tag 5', parentId: '1' },
  { id: '6', workspaceId: '1', name: 'tag 6', parentId: '5' },
];

const zj = { province: '浙江省', city: '杭州市' };
const people: SeedContact[] = [
  { id: '1' },
  { id: '2', tags: ['1'], activeAt: -2 * DAY_MIN, fields: { ...zj, district: '西湖区', device: 'ios' } },
  { id: '3', tags: ['2'], activeAt: -40 * DAY_MIN, fields: { ...zj, district: '滨江区', device: 'android' } },
  {
    id: '4',
    tags: ['3'],
    fields: { province: '广东省', city: '深圳市', attributes: { vip: true, spend: 120 } },
  },
  { id: '5', tags: ['1', '2'], activeAt: -7 * DAY_MIN, fields: { attributes: { spend: 80, level: 'gold' } } },
  { id: '6', tags: ['1', '3'], fields: { device: 'ios', attributes: { level: 'silver', spend: '99' } } },
  {
    id: '7',
    tags: ['2', '3'],
    activeAt: -30 * DAY_MIN,
    fields: { province: '浙江省', attributes: { vip: null } },
  },
  { id: '8', tags: ['1', '2', '3'], activeAt: 0, fields: { city: '杭州市' } },
  { id: '9', tags: ['5'], activeAt: -1, fields: { device: 'harmonyos' } },
  { id: '10', tags: ['6'] },
  { id: '100', workspaceId: '2', tags: ['4'], fields: { ...zj, device: 'ios' } },
  { id: '101', workspaceId: '2', activeAt: 0 },
];

/** Every shape of the expression language, old and new, alone and combined. */
export const contractExpressions: AudienceExpression[] = [
  { all: true },
  { tag: '1' },
  { and: [{ tag: '1' }, { tag: '2' }] },
  { or: [{ tag: '2' }, { tag: '3' }] },
  { not: { tag: '1' } },
  { and: [{ or: [{ tag: '1' }, { tag: '3' }] }, { not: { tag: '2' } }] },
  { and: [] },
  { or: [] },
  { tagUnder: '1' },
  { tagUnder: '5' },
  { not: { tagUnder: '1' } },
  { region: { province: '浙江省' } },
  { region: { city: '杭州市' } },
  { region: { province: '浙江省', city: '杭州市', district: '西湖区' } },
  { not: { region: { province: '浙江省' } } },
  { device: 'ios' },
  { not: { device: 'ios' } },
  { activeWithinDays: 7 },
  { activeWithinDays: 30 },
  { not: { activeWithinDays: 30 } },
  { attribute: { key: 'vip', op: 'exists' } },
  { attribute: { key: 'vip', op: 'eq', value: true } },
  { attribute: { key: 'level', op: 'in', values: ['gold', 'silver'] } },
  { attribute: { key: 'spend', op: 'gte', value: 99 } },
  { attribute: { key: 'spend', op: 'lt', value: 100 } },
  { not: { attribute: { key: 'spend', op: 'gt', value: 90 } } },
  {
    and: [
      { or: [{ tag: '1' }, { tag: '2' }] },
      { region: { province: '浙江省' } },
      { activeWithinDays: 30 },
      { not: { tag: '3' } },
    ],
  },
];

/** Audience resolution: every planned recipient is exactly who the reference evaluator picks. */
export function audienceContract(harness: () => StoreHarness): void {
  for (const audience of contractExpressions) {
    it(`resolves the audience ${JSON.stringify(audience)} within its workspace`, async () => {
      const h = harness();
      for (const tag of nested) await h.addTag?.(tag);
      await seedContacts(h, people);
      await seedCampaign(h, { id: '1', audience });
      const plan = makePlan('1', { audience, suppress: [] });
      plan.channels[0]!.batchSize = 100;
      const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
      const context = {
        asOf: t0,
        tagsUnder: tagHierarchy([...nested, { id: '1', parentId: null }]),
      };
      const expected = people.flatMap((p) => {
        if ((p.workspaceId ?? '1') !== '1') return [];
        const subject = {
          tagIds: p.tags ?? [],
          lastActiveAt: p.activeAt === undefined ? null : new Date(t0.getTime() + p.activeAt * 60_000),
          ...p.fields,
        };
        return matchesAudience(audience, subject, context) ? [p.id] : [];
      });
      const planned = (await claimAll(h)).flatMap((c) => c.recipients.map((r) => r.contactId));
      expect(planned.sort()).toEqual(expected.sort());
      expect(summary.total).toBe(expected.length);
    });
  }

  it('suppresses dormant contacts (never active, or inactive 30 days) when the plan asks', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', activeAt: -29 * DAY_MIN },
      { id: '2', activeAt: -31 * DAY_MIN },
      { id: '3' },
      { id: '4', activeAt: -31 * DAY_MIN, suppressions: ['unsubscribed'] },
    ]);
    await seedCampaign(h, { id: '1' });
    const plan = makePlan('1', { suppress: ['unsubscribed', 'dormant'] });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
    expect(summary).toMatchObject({ total: 4, queued: 1, suppressed: { dormant: 2, unsubscribed: 1 } });
  });

  /**
   * Persons 1–2 (2 tagged 1); customer groups 3 (zhangsan's, 会员群), 4 (lisi's, 福利群, tagged 1)
   * and 5 (zhangsan's once, lisi's now). Groups never active: dormancy must not touch them.
   */
  const groupsCase = async (h: StoreHarness, audience: AudienceExpression, suppress: 'dormant'[] = []) => {
    await seedContacts(h, [
      { id: '1', activeAt: 0 },
      { id: '2', tags: ['1'], activeAt: 0 },
    ]);
    const group = (id: string, name: string, tagIds: string[] = []) =>
      h.addContact(
        makeContact({ id, kind: 'group', name, tagIds }, [{ kind: 'wecom_chat_id', value: `wrG${id}` }]),
      );
    await group('3', '会员群 A');
    await group('4', '福利群', ['1']);
    await group('5', '会员群 B');
    await h.addReach!({ contactId: '3', channel: 'channel:wecom', account: 'zhangsan', ended: false });
    await h.addReach!({ contactId: '4', channel: 'channel:wecom', account: 'lisi', ended: false });
    await h.addReach!({ contactId: '5', channel: 'channel:wecom', account: 'zhangsan', ended: true });
    await h.addReach!({ contactId: '5', channel: 'channel:wecom', account: 'lisi', ended: false });
    await seedCampaign(h, { id: '1', audience });
    const plan = makePlan('1', { audience, suppress });
    plan.channels = [
      { channel: 'channel:wecom', identityKinds: ['phone', 'wecom_chat_id'], batchSize: 100, accounts: [] },
    ];
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
    const planned = (await claimAll(h)).flatMap((c) => c.recipients.map((r) => r.contactId));
    return { summary, planned: planned.sort() };
  };

  const groupCases: [AudienceExpression, string[]][] = [
    [{ all: true }, ['1', '2']],
    [{ not: { tag: '1' } }, ['1']],
    [{ groups: {} }, ['3', '4', '5']],
    [{ groups: { owners: ['zhangsan'] } }, ['3']],
    [{ groups: { owners: ['lisi'], nameContains: '会员群' } }, ['5']],
    // A person audience never picks a group (group 4 has tag 1 too), a group audience never a
    // person: its other leaves are read on groups, through `or` and `not` alike.
    [{ tag: '1' }, ['2']],
    [{ and: [{ groups: {} }, { tag: '1' }] }, ['4']],
    [{ or: [{ tag: '1' }, { groups: { nameContains: '会员群 A' } }] }, ['3', '4']],
    [{ and: [{ groups: {} }, { not: { groups: { owners: ['lisi'] } } }] }, ['3']],
    [{ not: { groups: { owners: ['lisi'] } } }, ['3']],
    [{ and: [{ groups: {} }, { not: { tag: '1' } }] }, ['3', '5']],
  ];
  for (const [audience, expected] of groupCases) {
    it(`customer groups are targets of their own: ${JSON.stringify(audience)}`, async () => {
      const h = harness();
      if (!h.addReach) return;
      const { summary, planned } = await groupsCase(h, audience);
      expect(planned).toEqual(expected);
      expect(summary.total).toBe(expected.length);
    });
  }

  it('a customer group is never dormant (it has no activity of its own)', async () => {
    const h = harness();
    if (!h.addReach) return;
    const { summary, planned } = await groupsCase(h, { groups: {} }, ['dormant']);
    expect(planned).toEqual(['3', '4', '5']);
    expect(summary).toMatchObject({ total: 3, queued: 3, suppressed: {} });
  });
}
