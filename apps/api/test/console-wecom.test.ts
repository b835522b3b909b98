import { stateRelations, wecom } from '@qunfa/channels';
import { type FakeWecom, startFakeWecom } from '@qunfa/channels/wecom/fake-server';
import { scopePluginState } from '@qunfa/core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CORP_ID = 'ww0123456789abcdef';
const AGENT_ID = 1000002;
const APP_SECRET = 'wecom-app-secret-for-console';
const CONTACT_SECRET = 'wecom-contact-secret-for-console';
const customer = (i: number) => `wmConsole${i}`;
/** Two customers of 王五 (wangwu), one of 赵六 (zhaoliu): one task per sender. */
const SENDERS = ['wangwu', 'wangwu', 'zhaoliu'] as const;

describe.skipIf(!browserRunnable)('WeCom mass-send tasks on the campaign page, in Chromium', () => {
  let t: TestApp;
  let fake: FakeWecom;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeWecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
    });
    const channel = wecom({
      corpId: CORP_ID,
      apps: [{ agentId: AGENT_ID, secret: APP_SECRET }],
      contactSecret: CONTACT_SECRET,
      baseUrl: fake.url,
      taskPollMs: 50,
    });
    t = await startTestApp('pglite', { quietHours: 'off', receiptPollIntervalMs: 100 }, [channel]);
    const relations = stateRelations(scopePluginState(t.app.deps.pluginState, 'channel:wecom'));
    for (const [i, userid] of SENDERS.entries()) {
      fake.corp.customers.addCustomer(customer(i), userid, new Date('2024-01-01T00:00:00Z'));
      await relations.upsert(customer(i), { userid, addedAt: Date.parse('2024-01-01T00:00:00Z') / 1000 });
    }
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: SENDERS.map((_, i) => ({
          name: `客户${i}`,
          identities: [{ kind: 'WECOM_EXTERNAL_USERID', value: customer(i) }],
        })),
      },
    );
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await fake?.close();
  });

  it('shows each sender’s task with its deadline, live; reminds one and cancels it after a confirmation; in both languages', async () => {
    const { shot, paths } = screenshotter('wecom-tasks');
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      `mutation { createCampaign(input: { name: "门店周年庆", audience: { all: true },
        variants: [{ key: "A", content: { text: "门店周年庆，全场 8 折" } }],
        channelPlan: [{ channel: "channel:wecom", trackLinks: false, confirmationDeadlineMs: 3600000 }] }) { id } }`,
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await logIn(page, t.url, t.a.keys.operator, 'zh-CN', `#/campaigns/${id}`);
    const row = (sender: string) => page.locator(`[data-testid="wecom-task"][data-sender="${sender}"]`);

    // Both senders' tasks wait for them, an hour to confirm.
    await expect.poll(() => page.getByTestId('wecom-task').count(), { timeout: 30_000 }).toBe(2);
    expect(await row('wangwu').getAttribute('data-state')).toBe('WAITING');
    expect(await row('wangwu').getByTestId('wecom-task-recipients').getAttribute('data-count')).toBe('2');
    expect(await row('zhaoliu').getByTestId('wecom-task-deadline').getAttribute('data-kind')).toBe('due');
    expect(await row('zhaoliu').getByTestId('wecom-task-deadline').textContent()).toMatch(
      /还剩 (59|60) 分钟/,
    );
    expect(await page.locator('#wecom-tasks-title').textContent()).toBe('企业微信群发任务');
    await page.getByTestId('wecom-tasks-panel').scrollIntoViewIfNeeded();
    await shot(page, 'waiting', false);

    // 王五 confirms in WeCom: the page follows without a reload.
    fake.corp.customers.confirm(fake.corp.customers.tasksOf('wangwu').at(-1)!.msgid);
    await expect.poll(() => row('wangwu').getAttribute('data-state'), { timeout: 30_000 }).toBe('CONFIRMED');
    await expect
      .poll(() => row('wangwu').getByTestId('wecom-task-delivered').getAttribute('data-count'), {
        timeout: 30_000,
      })
      .toBe('2');
    expect(await row('wangwu').getByTestId('wecom-task-remind').count()).toBe(0);
    // The funnel moves with WeCom's results too (they come by polling, not by a send).
    await expect
      .poll(() => page.getByTestId('funnel-delivered').first().getAttribute('data-count'), {
        timeout: 20_000,
      })
      .toBe('2');

    // 赵六 is reminded (WeCom allows 3 a day), then their task is cancelled after a confirmation.
    await row('zhaoliu').getByTestId('wecom-task-remind').click();
    await page.getByTestId('wecom-task-notice').waitFor();
    await expect.poll(() => row('zhaoliu').getByTestId('wecom-task-remind').textContent()).toContain('2');
    const zhaoMsgid = fake.corp.customers.tasksOf('zhaoliu').at(-1)!.msgid;
    expect(
      fake.requests.filter(
        (r) => r.path === '/cgi-bin/externalcontact/remind_groupmsg_send' && r.body.msgid === zhaoMsgid,
      ),
    ).toHaveLength(1);
    await row('zhaoliu').getByTestId('wecom-task-cancel').click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('zhaoliu');
    await dialog.getByTestId('confirm-ok').click();
    await expect.poll(() => row('zhaoliu').getAttribute('data-state'), { timeout: 20_000 }).toBe('CANCELLED');
    expect(
      fake.requests.filter(
        (r) => r.path === '/cgi-bin/externalcontact/cancel_groupmsg_send' && r.body.msgid === zhaoMsgid,
      ),
    ).toHaveLength(1);
    // The cancelled customer is failed (unconfirmed) in the funnel and the senders table too, without
    // a reload. Before the page re-read the campaign when a task moves, it showed the campaign
    // completed with that customer still pending until a reload: no progress event carried the failure.
    for (const testId of ['funnel-failed', 'channel-failed']) {
      await expect
        .poll(() => page.getByTestId(testId).first().getAttribute('data-count'), { timeout: 15_000 })
        .toBe('1');
    }
    // The senders table names the staff member each customer went out through, not "默认账号":
    // WeCom customer batches carry no account; the sender is the attempt's.
    await expect
      .poll(
        async () =>
          (await page
            .getByTestId('sender-account')
            .evaluateAll((rows) =>
              rows.map(
                (r) => `${r.getAttribute('data-account')} ${r.querySelector('th')?.textContent ?? ''}`,
              ),
            )) as string[],
        { timeout: 15_000 },
      )
      .toEqual(['wangwu wangwu', 'zhaoliu zhaoliu']);
    await shot(page, 'confirmed-and-cancelled', false);

    // The same panel in English.
    await page.getByTestId('language-toggle').click();
    await expect.poll(() => page.locator('#wecom-tasks-title').textContent()).toBe('WeCom mass-send tasks');
    expect(await row('zhaoliu').locator('.wecom-task-state').textContent()).toBe('Cancelled');
    expect(await row('wangwu').locator('.wecom-task-state').textContent()).toBe('Confirmed');
    await page.getByTestId('wecom-tasks-panel').scrollIntoViewIfNeeded();
    await shot(page, 'english', false);
    console.info(`screenshots:\n${paths.join('\n')}`);
  });
});
