import { sandbox } from '@qunfa/channels';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { replyFromPhone, runCampaignsToTag } from './support/run-campaign.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe.skipIf(!browserRunnable)(
  'contacts searched on the server, and a contact’s delivery history, in Chromium',
  () => {
    let t: TestApp;
    let browser: Browser;

    beforeAll(async () => {
      // No network failures: their retry waits 2 h, and the campaigns must end.
      t = await startTestApp('pglite', { quietHours: 'off' }, [
        sandbox({ latencyMs: { min: 1, max: 5 }, seed: 5, failureRates: { invalid_recipient: 0.05 } }),
      ]);
      const { createTag } = await gqlOk<{ createTag: { id: string } }>(
        t.url,
        t.a.keys.operator,
        'mutation { createTag(input: { name: "会员" }) { id } }',
      );
      // 120 contacts: more than the page of 50, so a match past the first page only shows when the server searches.
      const input = Array.from({ length: 120 }, (_, i) => ({
        name: i === 117 ? '周杰' : `客户${i}`,
        tagIds: [createTag.id],
        identities: [{ kind: 'PHONE', value: `+86137${String(10_000_000 + i).slice(-8)}` }],
      }));
      await gqlOk(
        t.url,
        t.a.keys.operator,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        {
          input,
        },
      );
      await runCampaignsToTag(t, createTag.id, ['元旦问候', '春节促销']);
      await replyFromPhone(t, '13710000117', '春节几号发货？');
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    it.each([
      { locale: 'zh-CN' as const, outcome: /已送达|已发送|失败|已读/ },
      { locale: 'en' as const, outcome: /Delivered|Sent|Failed|Read/ },
    ])(
      'in $locale: a phone prefix past the first page finds the contact; its page lists both campaigns and the reply',
      async ({ locale, outcome }) => {
        const { shot } = screenshotter(`contacts-${locale}`);
        const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
        await logIn(page, t.url, t.a.keys.viewer, locale, '#/contacts');
        await page.getByTestId('contact-row').first().waitFor();
        expect(await page.getByTestId('contact-row').count()).toBe(50);
        await page.getByTestId('contacts-search').fill('137 1000 0117');
        await expect.poll(() => page.getByTestId('contact-row').count()).toBe(1);
        expect(await page.getByTestId('contact-row').textContent()).toContain('周杰');
        await shot(page, 'search-by-phone');
        await page.getByTestId('contacts-search').fill('没有这个人');
        await page.getByTestId('contacts-none').waitFor();
        await page.getByTestId('contacts-search').fill('周');
        await expect.poll(() => page.getByTestId('contact-row').count()).toBe(1);

        await page.getByTestId('contact-row').getByRole('link').click();
        const rows = page.getByTestId('history-row');
        await rows.nth(1).waitFor();
        expect(await rows.count()).toBe(2);
        expect(await rows.nth(0).textContent()).toContain('春节促销');
        expect(await rows.nth(1).textContent()).toContain('元旦问候');
        expect(await rows.nth(0).textContent()).toMatch(outcome);
        expect(await rows.nth(0).getByTestId('history-reply').textContent()).toContain('春节几号发货？');
        await shot(page, 'delivery-history');
      },
    );
  },
);
