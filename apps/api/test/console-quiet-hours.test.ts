import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserRunnable,
  consolePlugins,
  launchChromium,
  logIn,
  screenshotter,
} from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** "HH:MM" in Asia/Shanghai, `offsetMinutes` from now. */
function shanghai(offsetMinutes: number): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(Date.now() + offsetMinutes * 60_000));
}

describe.skipIf(!browserRunnable)('the console says why a campaign waits in quiet hours', () => {
  let t: TestApp;
  let browser: Browser;
  let tag: string;

  beforeAll(async () => {
    t = await startTestApp('pglite', { quietHours: 'off' }, consolePlugins);
    tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: '夜猫子',
      count: 30,
      identity: (i) => ({ kind: 'PHONE', value: `+8613800${String(i).padStart(6, '0')}` }),
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it.each(['zh-CN', 'en'] as const)(
    'in %s: started inside its quiet hours, it shows the reason, the count and the end',
    async (locale) => {
      // Quiet hours around now, whatever the hour the test runs at: from an hour ago to two hours ahead.
      const [start, end] = [shanghai(-60), shanghai(120)];
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.operator,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: `夜间活动 quiet ${locale}`,
            audience: { tag },
            variants: [{ key: 'A', content: { text: '晚上好 {{name}}' } }],
            channelPlan: [{ channel: 'channel:sandbox' }],
            quietHours: { mode: 'WINDOW', start, end },
          },
        },
      );
      const { shot, paths } = screenshotter(`quiet-hours-${locale}`);
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(page, t.url, t.a.keys.operator, locale, `#/campaigns/${createCampaign.id}`);
      await page.getByTestId('action-start').click();

      const reason = page.getByTestId('waiting-QUIET_HOURS');
      await reason.waitFor({ timeout: 60_000 });
      expect(await reason.textContent()).toContain(locale === 'en' ? 'Quiet hours' : '免打扰');
      expect(await reason.getByTestId('waiting-until').textContent()).toContain(end);
      await expect.poll(() => page.getByTestId('campaign-state').getAttribute('data-state')).toBe('RUNNING');
      expect(await page.getByTestId('progress-bar').getAttribute('aria-valuenow')).toBe('0');
      await expect
        .poll(() => page.getByTestId('finish-time').getAttribute('data-kind'), { timeout: 10_000 })
        .toBe('not-before');
      expect(await page.getByTestId('finish-time').textContent()).toContain(end);
      await shot(page, 'waiting-in-quiet-hours');

      const phone = await (
        await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 })
      ).newPage();
      await logIn(phone, t.url, t.a.keys.viewer, locale, `#/campaigns/${createCampaign.id}`);
      await phone.getByTestId('waiting-QUIET_HOURS').waitFor();
      await shot(phone, 'phone-waiting', false);
      console.info(`screenshots (${locale}):\n${paths.join('\n')}`);
    },
  );
});
