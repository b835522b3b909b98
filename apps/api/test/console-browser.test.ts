import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const consoleBuilt = existsSync(fileURLToPath(new URL('../../console/dist/index.html', import.meta.url)));
// CI installs Chromium and builds the console first (turbo: api#test depends on console#build);
// elsewhere the test runs when both are there.
const runnable = process.env.CI === 'true' || (existsSync(executablePath) && consoleBuilt);

describe.skipIf(!runnable)('the console in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let campaignId: string;
  let tagId: string;

  beforeAll(async () => {
    t = await startTestApp('pglite');
    const key = t.a.keys.operator;
    const tag = await seedTaggedContacts(t.url, key, {
      tagName: '会员',
      count: 300,
      identity: (i) => ({ kind: 'PHONE', value: `+8613700${String(i).padStart(6, '0')}` }),
    });
    tagId = tag;
    campaignId = (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: '浏览器测试 browser test',
            audience: { tag },
            variants: [{ key: 'A', content: { text: '你好 {{name}}' } }],
            channelPlan: [{ channel: 'channel:sandbox' }],
            // Three batches 3 s apart, so the page shows the campaign mid-way even on a loaded machine.
            batchIntervalMs: 3000,
            retryPolicy: { networkRetryDelayMs: 50, maxAttempts: 1 },
          },
        },
      )
    ).createCampaign.id;
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('logs in with a key, opens a campaign, starts it and watches it complete live', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.getByTestId('login-key').fill('qf_wrong');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('error-code').first().textContent()).toBe('UNAUTHENTICATED');

    await page.getByTestId('login-key').fill(t.a.keys.operator);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('workspace-name').textContent()).toBe('Workspace A');
    await page.locator(`[data-campaign-id="${campaignId}"] a`).click();
    await expect.poll(() => page.getByTestId('campaign-state').getAttribute('data-state')).toBe('DRAFT');

    await page.getByTestId('action-start').click();
    const seen = new Set<number>();
    const bar = page.getByTestId('progress-bar');
    for (let i = 0; i < 600; i++) {
      seen.add(Number(await bar.getAttribute('aria-valuenow')));
      if ((await page.getByTestId('campaign-state').getAttribute('data-state')) === 'COMPLETED') break;
      await page.waitForTimeout(50);
    }
    expect(await page.getByTestId('campaign-state').getAttribute('data-state')).toBe('COMPLETED');
    expect(await bar.getAttribute('aria-valuemax')).toBe('300');
    expect(await bar.getAttribute('aria-valuenow')).toBe('300');
    // It moved live: the page showed the campaign part-way, not only before and after.
    expect([...seen].some((n) => n > 0 && n < 300)).toBe(true);

    const { campaign } = await gqlOk<{ campaign: { counters: { sent: number; failed: number } } }>(
      t.url,
      t.a.keys.viewer,
      'query($id: ID!) { campaign(id: $id) { counters { sent failed } } }',
      { id: campaignId },
    );
    expect(await page.getByTestId('counter-sent').textContent()).toBe(String(campaign.counters.sent));
    expect(await page.getByTestId('counter-failed').textContent()).toBe(String(campaign.counters.failed));
    expect(await page.getByTestId('action-start').count()).toBe(0);
  });

  it('shows an A/B test awaiting its decision and sends the variant the operator picks', async () => {
    const key = t.a.keys.operator;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'A/B 浏览器测试',
          audience: { tag: tagId },
          variants: [
            { key: 'A', content: { text: 'A 你好 {{name}}' } },
            { key: 'B', content: { text: 'B 你好 {{name}}' } },
          ],
          channelPlan: [{ channel: 'channel:sandbox' }],
          retryPolicy: { networkRetryDelayMs: 50, maxAttempts: 1 },
          abTest: {
            testPercent: 40,
            winnerMetric: 'DELIVERY_RATE',
            decisionDelayMs: 1500,
            winnerSelection: 'CONFIRM',
          },
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    const page = await browser.newPage();
    await page.goto(`${t.url}/`);
    await page.getByTestId('login-key').fill(key);
    await page.getByTestId('login-submit').click();
    await page.locator(`[data-campaign-id="${id}"] a`).click();
    const phase = page.getByTestId('ab-phase');
    await expect.poll(() => phase.getAttribute('data-phase'), { timeout: 20_000 }).toBe('AWAITING_DECISION');
    expect(await page.getByTestId('counter-waiting').textContent()).not.toBe('0');
    expect(await page.getByTestId('ab-p-value').textContent()).not.toBe('—');
    await page.getByTestId('ab-send-B').click();
    // A confirmation dialog names the variant before it goes to the rest.
    await page.getByRole('dialog').getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('ab-winner').textContent(), { timeout: 10_000 }).toBe('B');
    await expect
      .poll(() => page.getByTestId('campaign-state').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('COMPLETED');
    expect(await page.getByTestId('counter-waiting').textContent()).toBe('0');
  });
});
