import { wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { builtinGroupMetrics, builtinMetrics } from '@qunfa/plugins';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-console';
const CONTACT_SECRET = 'wecom-contact-secret-for-console';
const CALLBACK = { token: 'cbToken123', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

/** Four groups of two owners, synced from the fake WeCom; 8 of 80 members leave 会员群 A this month. */
const GROUPS = [
  { chatId: 'wrConsoleA', name: '会员群 A', owner: 'wangwu', members: 80 },
  { chatId: 'wrConsoleB', name: '会员群 B', owner: 'wangwu', members: 35 },
  { chatId: 'wrConsoleC', name: '新品福利群', owner: 'zhaoliu', members: 120 },
  { chatId: 'wrConsoleD', name: '门店老客群', owner: 'zhaoliu', members: 60 },
] as const;

describe.skipIf(!browserRunnable)('the customer groups screen and a group audience, in Chromium', () => {
  let t: TestApp;
  let fake: FakeWecom;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
    });
    for (const m of ['wangwu', 'zhaoliu']) fake.corp.addMember(m);
    for (const g of GROUPS)
      fake.corp.groups.set(g.chatId, {
        chatId: g.chatId,
        name: g.name,
        owner: g.owner,
        createTime: new Date('2024-01-01T00:00:00Z'),
        members: Array.from({ length: g.members }, (_, m) => ({
          userid: `wm${g.chatId}${m}`,
          type: 2 as const,
          joinTime: new Date('2024-01-01T00:00:00Z'),
        })),
      });
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      callback: CALLBACK,
      baseUrl: fake.url,
    });
    t = await startTestApp('pglite', { quietHours: 'off' }, [
      channel,
      ...builtinMetrics(),
      ...builtinGroupMetrics(),
    ]);
    const { startChannelSync } = await gqlOk<{ startChannelSync: { id: string } }>(
      t.url,
      t.a.keys.admin,
      'mutation { startChannelSync(channel: "channel:wecom") { id } }',
    );
    for (let i = 0; ; i++) {
      const { channelSync } = await gqlOk<{ channelSync: { state: string } }>(
        t.url,
        t.a.keys.admin,
        'query($id: ID!) { channelSync(id: $id) { state } }',
        { id: startChannelSync.id },
      );
      if (channelSync.state === 'completed') break;
      if (i > 600) throw new Error('the sync did not complete');
      await new Promise((r) => setTimeout(r, 50));
    }
    const leave = fake.push({
      FromUserName: 'sys',
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'event',
      Event: 'change_external_chat',
      ChatId: 'wrConsoleA',
      ChangeType: 'update',
      UpdateDetail: 'del_member',
      MemChangeCnt: 8,
      CurMemVer: 'v-console-1',
    });
    const res = await fetch(`${t.url}/callbacks/wecom?${new URLSearchParams(leave.query)}`, {
      method: leave.method,
      body: leave.body || undefined,
    });
    expect(res.status).toBe(200);
    await gqlOk(t.url, t.a.keys.operator, 'mutation { createTag(input: { name: "高价值群" }) { id } }');
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await fake?.close();
  });

  it('lists groups with owner, members, this month’s leaves and 退群率, flags the unhealthy one; filters, tags; the composer picks groups', async () => {
    const { shot, paths } = screenshotter('customer-groups');
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await logIn(page, t.url, t.a.keys.operator, 'zh-CN', '#/groups');
    await page.getByTestId('nav-groups').waitFor();
    const rows = page.getByTestId('group-row');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4);
    expect(await page.locator('#groups-title').textContent()).toBe('企业微信客户群');
    const row = (chatId: string) => page.locator(`[data-testid="group-row"][data-chat-id="${chatId}"]`);
    // 会员群 A: 72 members now, 8 left of the 80 it began the month with: 10 % — past 5 %.
    expect(await row('wrConsoleA').getAttribute('data-health')).toBe('unhealthy');
    expect(await row('wrConsoleA').getByTestId('group-members').textContent()).toBe('72');
    expect(await row('wrConsoleA').getByTestId('group-quit-rate').textContent()).toBe('10.0%');
    expect(await row('wrConsoleA').getByTestId('group-reason').textContent()).toBe('退群率 10.0%，超过 5.0%');
    expect(await row('wrConsoleC').getAttribute('data-health')).toBe('healthy');
    expect(await row('wrConsoleC').getByTestId('group-health').textContent()).toBe('健康');
    expect(await row('wrConsoleC').textContent()).toContain('zhaoliu');
    expect(await row('wrConsoleC').textContent()).not.toContain('未同步');
    await shot(page, 'list');

    // Filters: the unhealthy ones; an owner; a name.
    await page.getByTestId('groups-health').selectOption('UNHEALTHY');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('groups-health').selectOption('');
    await page.getByTestId('groups-owner').fill('zhaoliu');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await page.getByTestId('groups-owner').fill('');
    await page.getByTestId('groups-name').fill('会员群');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);

    // Tag both 会员群 with our tag, then filter by it.
    for (const chatId of ['wrConsoleA', 'wrConsoleB'])
      await row(chatId).locator('input[type="checkbox"]').check();
    await page.getByTestId('groups-tag-to').selectOption({ label: '高价值群' });
    await page.getByTestId('groups-tag-selected').click();
    await expect.poll(() => page.getByTestId('groups-tagged').textContent()).toBe('已给 2 个群打上标签。');
    await page.getByTestId('groups-name').fill('');
    await page.getByTestId('groups-tag').selectOption({ label: '高价值群' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    expect(await row('wrConsoleB').textContent()).toContain('高价值群');
    await shot(page, 'tagged');

    // The composer: send to customer groups of 王五, counted as groups, never as persons.
    await page.goto(`${t.url}/#/campaigns/new`);
    await page.getByTestId('audience-targets-group').check();
    await page.getByTestId('audience-group-owners').fill('wangwu');
    const count = page.getByTestId('audience-count');
    await expect.poll(() => count.getAttribute('data-sendable'), { timeout: 20_000 }).toBe('2');
    await expect.poll(() => count.locator('strong').textContent(), { timeout: 10_000 }).toBe('可发送 2 个群');
    expect(await page.getByTestId('audience-group-sample').textContent()).toContain(
      '会员群 A · 群主 wangwu · 72 人',
    );
    await page.getByTestId('audience-builder').scrollIntoViewIfNeeded();
    await shot(page, 'composer-groups', false);

    // English.
    await page.goto(`${t.url}/#/groups`);
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.locator('#groups-title').textContent()).toBe('WeCom customer groups');
    await expect
      .poll(() => row('wrConsoleA').getByTestId('group-reason').textContent())
      .toBe('Leave rate 10.0%, past 5.0%');
    await shot(page, 'english');
    console.info(`screenshots:\n${paths.join('\n')}`);
  });
});
