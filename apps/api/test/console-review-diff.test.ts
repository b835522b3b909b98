import { sandbox } from '@qunfa/channels';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp, testPlugins } from './support/test-app.js';

const CREATE = 'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }';
const UPDATE =
  'mutation($id: ID!, $input: UpdateCampaignInput!) { updateCampaign(id: $id, input: $input) { state } }';
const SUBMIT = 'mutation($id: ID!) { submitCampaignForReview(id: $id) { state } }';
const APPROVE = 'mutation($id: ID!) { approveCampaign(id: $id) { state } }';

describe.skipIf(!browserRunnable)(
  'the review shows what changed since the last approval, in Chromium',
  () => {
    let t: TestApp;
    let browser: Browser;
    let members: string;
    let vip: string;

    beforeAll(async () => {
      t = await startTestApp('pglite', { quietHours: 'off' }, [
        ...testPlugins(),
        sandbox({ name: 'channel:sandbox-sms', latencyMs: { min: 1, max: 5 }, seed: 7 }),
      ]);
      const phone = (i: number) => ({ kind: 'PHONE', value: `+8613900${String(i).padStart(6, '0')}` });
      members = await seedTaggedContacts(t.url, t.a.keys.operator, {
        tagName: '会员',
        count: 6,
        identity: phone,
      });
      vip = await seedTaggedContacts(t.url, t.a.keys.operator, {
        tagName: '高价值',
        count: 3,
        identity: (i) => phone(100 + i),
      });
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.stop();
    });

    it.each([
      {
        locale: 'zh-CN' as const,
        words: {
          parts: '有改动：内容、受众、渠道、发送时间与节奏',
          first: '首次审核',
          first_mode: '首个可达渠道',
          all_mode: '全部渠道',
        },
      },
      {
        locale: 'en' as const,
        words: {
          parts: 'Changed: Content, Audience, Channels, Schedule and pace',
          first: 'First review',
          first_mode: 'First that reaches',
          all_mode: 'All channels',
        },
      },
    ])('in $locale: round 2 beside what round 1 approved', async ({ locale, words }) => {
      const { shot } = screenshotter(`review-diff-${locale}`);
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.operator,
        CREATE,
        {
          input: {
            name: `双十二预热 ${locale}`,
            audience: { tag: members },
            variants: [{ key: 'A', content: { text: '亲爱的会员，双十二全场 5 折，12 月 12 日开抢。' } }],
            channelPlan: [{ channel: 'channel:sandbox' }],
          },
        },
      );
      const id = createCampaign.id;
      await gqlOk(t.url, t.a.keys.operator, SUBMIT, { id });
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(page, t.url, t.a.keys.approver, locale, `#/review/${id}`);
      await page.getByTestId('review-diff-first').waitFor();
      expect(await page.getByTestId('review-diff-first').textContent()).toContain(words.first);
      await shot(page, 'first-round');

      await gqlOk(t.url, t.a.keys.approver, APPROVE, { id });
      // Edited after approval: content, audience, a second channel with its own text, sent on all channels, a time.
      await gqlOk(t.url, t.a.keys.operator, UPDATE, {
        id,
        input: {
          audience: { and: [{ tag: members }, { not: { tag: vip } }] },
          variants: [
            {
              key: 'A',
              content: { text: '亲爱的会员，双十二全场 6 折，12 月 12 日开抢。' },
              channelContent: [{ channel: 'channel:sandbox-sms', content: { text: '【店】双十二 6 折' } }],
            },
          ],
          channelPlan: [{ channel: 'channel:sandbox' }, { channel: 'channel:sandbox-sms' }],
          channelMode: 'ALL',
          scheduledAt: '2030-12-11T02:00:00.000Z',
        },
      });
      await page.reload();
      const summary = page.getByTestId('review-diff-summary');
      await summary.waitFor();
      expect(await summary.getAttribute('data-parts')).toBe('content audience channels schedule');
      expect(await summary.textContent()).toBe(words.parts);
      const text = page
        .getByTestId('review-diff-change')
        .filter({ has: page.getByTestId('review-diff-text') });
      expect(await text.locator('del').allTextContents()).toEqual(['5']);
      expect(await text.locator('ins').allTextContents()).toEqual(['6']);
      const audience = page.locator('[data-testid="review-diff-change"][data-key="rule"]');
      expect(await audience.locator('del').textContent()).toBe('会员');
      expect(await audience.locator('ins').textContent()).toContain('高价值');
      const sms = page.locator(
        '[data-testid="review-diff-change"][data-key="variant:A:channel:sandbox-sms"]',
      );
      expect(await sms.locator('ins').textContent()).toBe('【店】双十二 6 折');
      // The channel mode is part of what the approval covered.
      const mode = page.locator('[data-testid="review-diff-change"][data-key="mode"]');
      expect(await mode.locator('del').textContent()).toBe(words.first_mode);
      expect(await mode.locator('ins').textContent()).toBe(words.all_mode);
      expect(await page.getByTestId('review-channel-mode').getAttribute('data-mode')).toBe('ALL');
      // The step's own text is shown (and marked) apart from the variant's.
      const own = page.locator('[data-testid="review-channel-content"][data-channel="channel:sandbox-sms"]');
      expect(await own.textContent()).toContain('【店】双十二 6 折');
      await shot(page, 'changes-since-approval');
    });
  },
);
