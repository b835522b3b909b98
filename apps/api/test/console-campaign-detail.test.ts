import { sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECIPIENTS = 120;
const TRANSIENT = new Set(['RATE_LIMITED', 'NETWORK', 'ACCOUNT_RESTRICTED', 'UNKNOWN']);

interface Breakdown {
  campaign: {
    counters: { total: number; failed: number; failedByClass: { failureClass: string; count: number }[] };
    bySender: { channel: string; account: string; counters: { total: number; failed: number } }[];
  };
}

const QUOTAS = '{ channels { accounts { account quotaToday { used left limit } } } }';
interface Quotas {
  channels: { accounts: { account: string; quotaToday: { used: number; left: number; limit: number } }[] }[];
}

async function count(page: Page, testId: string, attribute = 'data-count'): Promise<number> {
  return Number(await page.getByTestId(testId).first().getAttribute(attribute));
}

describe.skipIf(!browserRunnable)(
  'the campaign page in Chromium: senders, batches, failures and resend',
  () => {
    let t: TestApp;
    let browser: Browser;

    beforeAll(async () => {
      t = await startTestApp('pglite', { quietHours: 'off' }, [
        // Two sender accounts, batches of 20, a quarter failing: network (transient) and invalid numbers (permanent).
        sandbox({
          latencyMs: { min: 5, max: 20 },
          maxRecipientsPerSend: 20,
          accounts: ['acc-1', 'acc-2'],
          maxSendsPerDay: 5_000,
          seed: 3,
          failureRates: { network: 0.15, invalid_recipient: 0.1 },
        }),
        ...builtinMetrics(),
      ]);
      const input = Array.from({ length: RECIPIENTS }, (_, i) => ({
        name: `客户${i}`,
        identities: [{ kind: 'PHONE', value: `+8613800${String(i).padStart(6, '0')}` }],
      }));
      await gqlOk(
        t.url,
        t.a.keys.operator,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        { input },
      );
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    describe.each([
      {
        locale: 'zh-CN' as const,
        words: {
          done: '已完成',
          senders: '按渠道与发送账号',
          batches: '批次时间线',
          resend: '重发',
          run: '明细 zh-CN · 重发',
          quota: '今日已用',
        },
      },
      {
        locale: 'en' as const,
        words: {
          done: 'Done',
          senders: 'By channel and sender account',
          batches: 'Batch timeline',
          resend: 'Resend',
          run: '明细 en · resend',
          quota: 'Used today',
        },
      },
    ])('in $locale', ({ locale, words }) => {
      it('counts per channel and account, shows the batches live, pages the failed and resends the transient ones', async () => {
        const { shot, paths } = screenshotter(`campaign-detail-${locale}`);
        const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
          t.url,
          t.a.keys.operator,
          `mutation($name: String!) { createCampaign(input: { name: $name, audience: { all: true },
          variants: [{ key: "A", content: { text: "你好 {{name}}" } }], channelPlan: [{ channel: "channel:sandbox" }],
          batchIntervalMs: 2000, retryPolicy: { maxAttempts: 1 } }) { id } }`,
          { name: `明细 ${locale}` },
        );
        const id = createCampaign.id;
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        await logIn(page, t.url, t.a.keys.operator, locale, `#/campaigns/${id}`);
        await expect.poll(() => page.getByTestId('campaign-state').getAttribute('data-state')).toBe('DRAFT');
        await page.getByTestId('action-start').click();

        // Live: the timeline shows batches done and batches still queued at the same time, and a finish
        // time (an estimate, or the end of a wait) before the end. Batches 2 s apart leave time to see both.
        let midway = false;
        const finishKinds = new Set<string>();
        for (let i = 0; i < 1200; i++) {
          const states = await page
            .getByTestId('batch-row')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')));
          finishKinds.add((await page.getByTestId('finish-time').getAttribute('data-kind')) ?? '');
          if (!midway && states.includes('DONE') && states.includes('QUEUED')) {
            midway = true;
            await shot(page, 'sending-live');
          }
          if ((await page.getByTestId('campaign-state').getAttribute('data-state')) === 'COMPLETED') break;
          await page.waitForTimeout(100);
        }
        expect(await page.getByTestId('campaign-state').getAttribute('data-state')).toBe('COMPLETED');
        expect(midway).toBe(true);
        expect(finishKinds.has('eta') || finishKinds.has('not-before')).toBe(true);
        await expect.poll(() => page.getByTestId('finish-time').getAttribute('data-kind')).toBe('finished');

        const { campaign } = await gqlOk<Breakdown>(
          t.url,
          t.a.keys.viewer,
          `query($id: ID!) { campaign(id: $id) { counters { total failed failedByClass { failureClass count } }
          bySender { channel account counters { total failed } } } }`,
          { id },
        );
        expect(campaign.counters.total).toBe(RECIPIENTS);

        // Per channel and per account: the page shows what the API counts, and the accounts add up to the channel.
        expect(await page.locator('#senders-title').textContent()).toBe(words.senders);
        await expect
          .poll(() =>
            page
              .getByTestId('batch-row')
              .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state'))),
          )
          .toEqual(Array(RECIPIENTS / 20).fill('DONE'));
        const accounts = page.getByTestId('sender-account');
        expect(await accounts.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account')))).toEqual(
          ['acc-1', 'acc-2'],
        );
        for (const sender of campaign.bySender) {
          const row = page.locator(`[data-testid="sender-account"][data-account="${sender.account}"]`);
          expect(Number(await row.getByTestId('account-planned').getAttribute('data-count'))).toBe(
            sender.counters.total,
          );
          expect(Number(await row.getByTestId('account-failed').getAttribute('data-count'))).toBe(
            sender.counters.failed,
          );
        }
        expect(await count(page, 'channel-planned')).toBe(RECIPIENTS);
        expect(await count(page, 'channel-failed')).toBe(campaign.counters.failed);

        // Each account's quota used today beside it, as the limiter counts it: at least what this
        // campaign sent through it (both languages' runs share the day), the rest left of 5,000.
        const { channels } = await gqlOk<Quotas>(t.url, t.a.keys.viewer, QUOTAS);
        for (const { account, quotaToday } of channels[0]!.accounts) {
          const sent = campaign.bySender.find((s) => s.account === account)!.counters.total;
          expect(quotaToday.used).toBeGreaterThanOrEqual(sent);
          expect(quotaToday.left).toBe(5_000 - quotaToday.used);
          const meter = page.locator(
            `[data-testid="sender-account"][data-account="${account}"] [data-testid="account-quota"]`,
          );
          await expect.poll(() => meter.getAttribute('data-used')).toBe(String(quotaToday.used));
          expect(await meter.getAttribute('data-left')).toBe(String(quotaToday.left));
        }
        expect(await page.locator('#senders-title').locator('xpath=..').textContent()).toContain(words.quota);

        // The timeline: six batches of 20 over both accounts, each done, in the page's language.
        expect(await page.locator('#batches-title').textContent()).toBe(words.batches);
        const batchAccounts = await page
          .getByTestId('batch-row')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account')));
        expect(new Set(batchAccounts)).toEqual(new Set(['acc-1', 'acc-2']));
        expect(await page.getByTestId('batch-row').first().locator('.batch-state').textContent()).toBe(
          words.done,
        );
        await shot(page, 'completed');

        // Failures by class, the failed recipients a page at a time.
        expect(campaign.counters.failed).toBeGreaterThan(20);
        await expect.poll(() => page.getByTestId('failed-row').count()).toBe(20);
        await page.getByTestId('failed-more').click();
        await expect
          .poll(() => page.getByTestId('failed-row').count())
          .toBe(Math.min(40, campaign.counters.failed));
        const network = campaign.counters.failedByClass.find((c) => c.failureClass === 'NETWORK')!.count;
        expect(Number(await page.getByTestId('counter-failed-NETWORK').textContent())).toBe(network);
        const transient = campaign.counters.failedByClass
          .filter((c) => TRANSIENT.has(c.failureClass))
          .reduce((sum, c) => sum + c.count, 0);
        expect(transient).toBe(network);
        expect(transient).toBeLessThan(campaign.counters.failed);
        await shot(page, 'failures-paged');

        // Resend: only the transient ones, after a confirmation naming both figures.
        const resend = page.getByTestId('action-resend');
        expect(await resend.textContent()).toContain(words.resend);
        expect(await resend.textContent()).toContain(String(transient));
        await resend.click();
        const dialog = page.getByRole('dialog');
        expect(await dialog.textContent()).toContain(String(campaign.counters.failed - transient));
        await dialog.getByTestId('confirm-ok').click();
        await expect.poll(() => page.url()).not.toContain(`/campaigns/${id}`);
        // The new run is linked to its source and sends to exactly the transient failures.
        await expect
          .poll(() => page.getByTestId('campaign-state').getAttribute('data-state'), { timeout: 30_000 })
          .toBe('COMPLETED');
        expect(await page.locator(`a[href$="/campaigns/${id}"]`).count()).toBeGreaterThan(0);
        // Named in the operator's language, not in both.
        expect(await page.locator('#campaign-title').textContent()).toBe(words.run);
        expect(await count(page, 'progress-bar', 'aria-valuemax')).toBe(transient);
        expect(await count(page, 'progress-bar', 'aria-valuenow')).toBe(transient);
        await shot(page, 'resend-run');

        // The accounts page: each account's quota today, the resend's sends included.
        await page.goto(`${t.url}/#/accounts`);
        const meters = page.getByTestId('channels-table').getByTestId('account-quota');
        // An operator sees the accounts and their quotas (the plugins' options are an admin's).
        await meters.first().waitFor();
        expect(await page.getByTestId('plugins-table').count()).toBe(0);
        const after = await gqlOk<Quotas>(t.url, t.a.keys.viewer, QUOTAS);
        expect(
          await meters.evaluateAll((meters) => meters.map((m) => Number(m.getAttribute('data-used')))),
        ).toEqual(after.channels[0]!.accounts.map((a) => a.quotaToday.used));
        await shot(page, 'accounts-quota');
        console.info(`screenshots (${locale}):\n${paths.join('\n')}`);
      });
    });
  },
);
