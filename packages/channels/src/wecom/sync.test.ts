import { afterEach, describe, expect, it } from 'vitest';
import type { FakeWecom } from './fake-server.js';
import { readGroup } from './groups.js';
import { stateRelations } from './relations.js';
import type { SyncedCustomer } from './sync.js';
import { wecomFixture } from './test-support.js';

let server: FakeWecom | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** 1,000 customers over 12 staff (every 10th shared by two), 50 groups. */
async function fixture() {
  const f = await wecomFixture();
  server = f.server;
  const staff = Array.from({ length: 12 }, (_, i) => `staff${String(i).padStart(2, '0')}`);
  for (let i = 0; i < 1000; i++) {
    const external = `wmSync${String(i).padStart(5, '0')}`;
    f.server.corp.customers.addCustomer(external, staff[i % 12]!, new Date(1_700_000_000_000 + i * 1000), {
      name: `客户${i}`,
      ...(i % 3 === 0 ? { unionid: `uUnion${i}` } : {}),
    });
    if (i % 10 === 0)
      f.server.corp.customers.addCustomer(external, staff[(i + 1) % 12]!, new Date(1_710_000_000_000));
  }
  for (let g = 0; g < 50; g++) {
    f.server.corp.groups.set(`wrGroup${String(g).padStart(3, '0')}`, {
      chatId: `wrGroup${String(g).padStart(3, '0')}`,
      name: `会员群${g}`,
      owner: staff[g % 12]!,
      createTime: new Date(1_700_000_000_000),
      members: Array.from({ length: 10 + g }, (_, m) => ({
        userid: `wmSync${m}`,
        type: 2 as const,
        joinTime: new Date(1_700_000_000_000),
      })),
    });
  }
  f.server.corp.customers.tagGroups.push({
    group_id: 'etGroup1',
    group_name: '等级',
    tag: [{ id: 'etGold', name: '金卡' }],
  });
  return f;
}

describe('sync (get_follow_user_list, batch/get_by_user, groupchat/list + get, get_corp_tag_list)', () => {
  it('syncs 1,000 customers and 50 groups, resumed after a failure midway, with nothing counted twice', async () => {
    const { server, plugin, ctx, state } = await fixture();
    const seen: SyncedCustomer[] = [];
    const onCustomers = async (page: SyncedCustomer[]) => {
      seen.push(...page);
    };
    // WeCom fails the 6th customer page: the sync stops there, its position saved.
    let pages = 0;
    const failing = async (page: SyncedCustomer[]) => {
      if (++pages === 6) throw new Error('the database went away');
      await onCustomers(page);
    };
    await expect(plugin.sync(ctx, { onCustomers: failing })).rejects.toThrow('the database went away');
    expect(seen).toHaveLength(500);
    server.failNext('/cgi-bin/externalcontact/groupchat/get', -1, 'system busy', 5);
    await expect(plugin.sync(ctx, { onCustomers })).rejects.toThrow();
    const progress = await plugin.sync(ctx, { onCustomers });
    expect(progress).toEqual({ stage: 'done', followUsers: 12, customers: 1100, groups: 50, done: true });
    // The failed page is read again from its cursor: every record once past the failure.
    const keys = seen.map((c) => `${c.externalUserId}/${c.followUser.userid}`);
    expect(new Set(keys).size).toBe(1100);
    expect(keys.length).toBe(1100);
    expect(seen.find((c) => c.externalUserId === 'wmSync00003')).toMatchObject({
      name: '客户3',
      unionid: 'uUnion3',
    });

    const relations = await stateRelations(state).get(['wmSync00010', 'wmSync00011']);
    expect(relations.get('wmSync00010')!.map((r) => r.userid)).toEqual(['staff10', 'staff11']);
    expect(relations.get('wmSync00011')!.map((r) => r.userid)).toEqual(['staff11']);
    const group = await readGroup(state, 'wrGroup049');
    expect(group).toMatchObject({ name: '会员群49', owner: 'staff01', members: 59 });
    const calls = server.requests.filter((r) => r.path === '/cgi-bin/externalcontact/batch/get_by_user');
    expect(calls[0]!.body).toEqual({
      userid_list: Array.from({ length: 12 }, (_, i) => `staff${String(i).padStart(2, '0')}`),
      limit: 100,
    });
    expect(await plugin.corpTags(ctx)).toEqual([
      { groupId: 'etGroup1', groupName: '等级', tags: [{ id: 'etGold', name: '金卡' }] },
    ]);
  }, 60_000);

  it('a second full sync changes no relation (idempotent)', async () => {
    const { plugin, ctx, state } = await fixture();
    await plugin.sync(ctx);
    const before = await stateRelations(state).get(['wmSync00000', 'wmSync00999']);
    const again = await plugin.sync(ctx, { restart: true });
    expect(again.customers).toBe(1100);
    expect(await stateRelations(state).get(['wmSync00000', 'wmSync00999'])).toEqual(before);
  }, 60_000);
});
