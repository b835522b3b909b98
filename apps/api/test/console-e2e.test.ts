import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserRunnable,
  consolePlugins,
  contactsCsv,
  launchChromium,
  logIn,
  screenshotter,
} from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CONTACTS = 45;

/** The number an element carries in `attribute`. */
async function numberOf(page: Page, testId: string, attribute: string): Promise<number> {
  return Number(await page.getByTestId(testId).first().getAttribute(attribute));
}

describe.skipIf(!browserRunnable)('the operator console, end to end in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // Server quiet hours off: this flow must send at any hour (the quiet-hours test sets its own).
    t = await startTestApp('pglite', { quietHours: 'off' }, consolePlugins);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  describe.each([
    {
      locale: 'zh-CN' as const,
      tag: '会员',
      words: {
        review: '审核中',
        approve: '批准',
        sendable: '可发送',
        noAb: 'A/B 测试',
        absoluteClaim: '属于广告法禁止的绝对化用语',
      },
    },
    {
      locale: 'en' as const,
      tag: '会员',
      words: {
        review: 'In review',
        approve: 'Approve',
        sendable: 'can be sent to',
        noAb: 'A/B test',
        absoluteClaim: 'is an absolute or superlative claim',
      },
    },
  ])('in $locale', ({ locale, tag, words }) => {
    it('imports, composes with a revise finding, gets approved by a second key, sends live to 100 %, resends the failed', async () => {
      const { shot, paths } = screenshotter(`flow-${locale}`);
      const operator = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(operator, t.url, t.a.keys.operator, locale);
      expect(await operator.locator('html').getAttribute('lang')).toBe(locale);
      await shot(operator, 'campaigns');

      // Unknown addresses say so instead of showing the list.
      await operator.goto(`${t.url}/#/no-such-screen`);
      await operator.getByTestId('not-found').waitFor();

      // 1. Import a CSV: progress to the end, the two bad rows listed with a report to download.
      await operator.goto(`${t.url}/#/contacts`);
      await operator.getByTestId('import-file').setInputFiles({
        name: 'contacts.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(contactsCsv(CONTACTS), 'utf8'),
      });
      await operator.getByTestId('import-start').click();
      await expect
        .poll(() => operator.getByTestId('import-progress').getAttribute('data-state'), { timeout: 60_000 })
        .toBe('completed');
      expect(await operator.getByTestId('import-errors').locator('tbody tr').count()).toBeGreaterThanOrEqual(
        2,
      );
      const download = operator.waitForEvent('download');
      await operator.getByTestId('import-report').click();
      expect((await download).suggestedFilename()).toMatch(/errors\.csv$/);
      await operator.getByTestId('contact-row').first().waitFor();
      await shot(operator, 'contacts-imported');

      // 2. Compose: the absolute claim is marked as a revise finding while typing.
      await operator.goto(`${t.url}/#/campaigns/new`);
      await operator.getByTestId('campaign-name').fill(`E2E ${locale}`);
      await operator.getByTestId('content-text-A').fill('今天全网最低价，{{name}} 快来抢购');
      const mark = operator.locator('[data-testid="highlighted-text"] mark[data-level="REVISE"]').first();
      await mark.waitFor({ timeout: 30_000 });
      // Overlapping findings (全网最低, 最低价) cut the marks where their spans meet.
      const marked = await operator
        .locator('[data-testid="highlighted-text"] mark[data-level="REVISE"]')
        .allTextContents();
      expect(marked.join('')).toContain('全网最低');
      // Worded by the console from the finding's code and params, in the operator's language.
      expect(await mark.getAttribute('title')).toContain(words.absoluteClaim);
      await operator.getByTestId('findings-REVISE').waitFor();

      // 3. Audience: the tag, counted exactly (the two bad rows were not imported).
      await operator.getByTestId(`audience-tag-${tag}`).locator('select').selectOption('include');
      await expect
        .poll(() => numberOf(operator, 'audience-count', 'data-sendable'), { timeout: 30_000 })
        .toBe(CONTACTS);
      expect(await operator.getByTestId('audience-count').textContent()).toContain(words.sendable);
      // Batches 2 s apart, so the page is seen part-way even on a loaded machine.
      await operator.getByTestId('pacing-seconds').fill('2');
      // The channel's quota today beside its step: what the limiter says is used (the other language's run counts).
      const { channels } = await gqlOk<{ channels: { quotaToday: { used: number; left: number } }[] }>(
        t.url,
        t.a.keys.viewer,
        '{ channels { quotaToday { used left } } }',
      );
      const quota = operator.getByTestId('plan-channel-quota');
      expect(await quota.getAttribute('data-limit')).toBe('100000');
      expect(await quota.getAttribute('data-left')).toBe(String(channels[0]!.quotaToday.left));
      await shot(operator, 'composer-finding-and-audience');

      // All channels with an A/B test: refused before a save, saying why; back to first-that-reaches.
      await operator.getByTestId('channel-mode-ALL').check();
      await operator.getByTestId('ab-enabled').check();
      const problem = operator.getByTestId('channel-mode-problem');
      expect(await problem.getAttribute('data-kind')).toBe('abTest');
      expect(await problem.textContent()).toContain(words.noAb);
      expect(await operator.getByTestId('submit-review').isDisabled()).toBe(true);
      expect(await operator.getByTestId('save-draft').isDisabled()).toBe(true);
      await operator.getByTestId('channel-plan').scrollIntoViewIfNeeded();
      await shot(operator, 'composer-all-channels-ab', false);
      await operator.getByTestId('ab-enabled').uncheck();
      await operator.getByTestId('channel-mode-FIRST').check();
      expect(await problem.count()).toBe(0);
      expect(await operator.getByTestId('submit-review').isDisabled()).toBe(false);

      // Content per channel: an SMS step with text of its own, checked for that channel alone, its
      // findings naming it; the first step keeps the variant's content.
      await operator.getByTestId('plan-add').selectOption('channel:sandbox-sms');
      await operator.getByTestId('own-content-A:channel:sandbox-sms').check();
      await operator.getByTestId('content-text-A:channel:sandbox-sms').fill('【店】全网最低价，回复TD退订');
      const ownEditor = operator.getByTestId('variant-A:channel:sandbox-sms');
      await ownEditor.locator('mark[data-level="REVISE"]').first().waitFor({ timeout: 30_000 });
      expect(await ownEditor.getByTestId('finding-channel').first().textContent()).toContain(
        'channel:sandbox-sms',
      );
      expect(await operator.getByTestId('shared-by-A').textContent()).toContain('channel:sandbox');
      await ownEditor.scrollIntoViewIfNeeded();
      await shot(operator, 'composer-channel-content', false);
      // Taken out of the plan again, the step's content goes with it (the API would refuse it).
      await operator.getByTestId('plan-remove-1').click();
      expect(await operator.getByTestId('own-content-A:channel:sandbox-sms').count()).toBe(0);

      // 4. Submit: the revise finding sends it to review.
      await operator.getByTestId('submit-review').click();
      await expect
        .poll(() => operator.getByTestId('campaign-state').getAttribute('data-state'), { timeout: 30_000 })
        .toBe('IN_REVIEW');
      expect(await operator.getByTestId('campaign-state').textContent()).toBe(words.review);
      const campaignId = decodeURIComponent(/#\/campaigns\/([^/]+)/.exec(operator.url())![1]!);
      await shot(operator, 'submitted');

      // In the list, the campaign not started yet shows its audience counted now and its open findings.
      await operator.goto(`${t.url}/#/`);
      const row = operator.locator(`[data-testid="campaign-row"][data-campaign-id="${campaignId}"]`);
      await row.getByTestId('draft-summary').waitFor();
      expect(Number(await row.getByTestId('draft-audience').getAttribute('data-sendable'))).toBe(CONTACTS);
      expect(
        Number(await row.getByTestId('draft-findings-REVISE').getAttribute('data-count')),
      ).toBeGreaterThan(0);
      await shot(operator, 'list-in-review', false);
      await operator.goto(`${t.url}/#/campaigns/${campaignId}`);

      // 5. An approver, with a second key, approves from the review queue.
      const approver = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(approver, t.url, t.a.keys.approver, locale, '#/review');
      await approver.locator(`[data-testid="review-row"][data-campaign-id="${campaignId}"] a`).click();
      await approver.getByTestId('review-finding').first().waitFor();
      expect(await approver.locator('mark[data-level="REVISE"]').count()).toBeGreaterThan(0);
      // The stored findings keep their params: the review page words them too, never in the API's English.
      const findingTexts = await approver.getByTestId('finding-text').allTextContents();
      expect(findingTexts.join('\n')).toContain(words.absoluteClaim);
      expect(findingTexts.join('\n')).not.toContain('advertising may not use');
      await shot(approver, 'review');
      // Approval waits until each revise finding is overridden with a reason.
      expect(await approver.getByTestId('review-approve').isDisabled()).toBe(true);
      const findings = await approver.locator('[data-testid="review-finding"][data-level="REVISE"]').count();
      for (let i = 0; i < findings; i++) {
        const open = approver
          .locator('[data-testid="review-finding"]')
          .filter({ has: approver.getByTestId('override-finding') })
          .first();
        await open.locator('input').fill('活动价经法务确认 / confirmed by legal');
        await open.getByTestId('override-finding').click();
        await expect.poll(() => approver.getByTestId('finding-overridden').count()).toBe(i + 1);
      }
      await approver.getByTestId('review-comment').fill('OK');
      expect(await approver.getByTestId('review-approve').textContent()).toContain(words.approve);
      await approver.getByTestId('review-approve').click();
      await expect
        .poll(() => approver.getByTestId('campaign-state').getAttribute('data-state'), { timeout: 20_000 })
        .toBe('APPROVED');
      await shot(approver, 'approved');

      // 6. The operator starts it and watches it reach 100 % live.
      await operator.reload();
      await expect
        .poll(() => operator.getByTestId('campaign-state').getAttribute('data-state'))
        .toBe('APPROVED');
      await operator.getByTestId('action-start').click();
      const seen = new Set<number>();
      let midShot = false;
      for (let i = 0; i < 1200; i++) {
        const now = await numberOf(operator, 'progress-bar', 'aria-valuenow');
        seen.add(now);
        if (!midShot && now > 0 && now < CONTACTS) {
          await shot(operator, 'sending-live', false);
          midShot = true;
        }
        if ((await operator.getByTestId('campaign-state').getAttribute('data-state')) === 'COMPLETED') break;
        await operator.waitForTimeout(50);
      }
      expect(await operator.getByTestId('campaign-state').getAttribute('data-state')).toBe('COMPLETED');
      expect(await numberOf(operator, 'progress-bar', 'aria-valuenow')).toBe(CONTACTS);
      expect(await numberOf(operator, 'progress-bar', 'aria-valuemax')).toBe(CONTACTS);
      expect([...seen].some((n) => n > 0 && n < CONTACTS)).toBe(true);
      // The funnel adds up: everyone is in the sent stage or in exactly one figure beside it.
      const side = ['pending', 'failed', 'suppressed', 'filtered', 'uncertain'];
      let beside = 0;
      for (const name of side) beside += await numberOf(operator, `funnel-${name}`, 'data-count');
      expect((await numberOf(operator, 'funnel-sent', 'data-count')) + beside).toBe(CONTACTS);
      expect(await operator.getByTestId('finish-time').getAttribute('data-kind')).toBe('finished');
      // The header says how the plan sends: first that reaches, one step here.
      expect(await operator.getByTestId('campaign-channels').getAttribute('data-mode')).toBe('FIRST');
      expect(await operator.getByTestId('campaign-channels').textContent()).toContain('channel:sandbox');
      const { campaign } = await gqlOk<{ campaign: { counters: { failed: number; sent: number } } }>(
        t.url,
        t.a.keys.viewer,
        'query($id: ID!) { campaign(id: $id) { counters { failed sent } } }',
        { id: campaignId },
      );
      expect(await numberOf(operator, 'funnel-failed', 'data-count')).toBe(campaign.counters.failed);
      await shot(operator, 'completed');

      // 7. The failed recipients, listed. Every failure here is permanent (invalid recipient,
      // blocked): a resend would fail again, so none is offered (resend.test.ts resends them
      // when asked for by class, and the transient ones by default).
      expect(campaign.counters.failed).toBeGreaterThan(0);
      await operator.getByTestId('failed-row').first().waitFor();
      expect(await operator.getByTestId('action-resend').count()).toBe(0);

      // 8. The campaign page on a phone.
      const phone = await (
        await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
      ).newPage();
      await logIn(phone, t.url, t.a.keys.viewer, locale, `#/campaigns/${campaignId}`);
      await phone.getByTestId('funnel-sent').waitFor();
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      await shot(phone, 'phone-campaign');
      console.info(`screenshots (${locale}):\n${paths.join('\n')}`);
    });
  });
});
