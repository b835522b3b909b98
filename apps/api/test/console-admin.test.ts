import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`;

describe.skipIf(!browserRunnable)('members, API keys and the filtered campaign list in Chromium', () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp('pglite', { quietHours: 'off' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  describe.each([
    {
      locale: 'zh-CN' as const,
      member: '小王',
      words: { never: '从未使用', readOnly: '只读', revoked: '吊销' },
    },
    {
      locale: 'en' as const,
      member: 'Wang',
      words: { never: 'Never used', readOnly: 'Read only', revoked: 'Revoked' },
    },
  ])('in $locale', ({ locale, member, words }) => {
    it('invites a member, issues them a key shown once, scopes and revokes keys; the list filters by that creator', async () => {
      const { shot, paths } = screenshotter(`admin-${locale}`);
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(page, t.url, t.a.keys.admin, locale, '#/settings');

      // Invite, then issue a key to the new member: its secret is shown once.
      await page.getByTestId('invite-name').fill(member);
      await page.getByTestId('invite-role').selectOption('OPERATOR');
      await page.getByTestId('invite-submit').click();
      const row = page.getByTestId('member-row').filter({ hasText: member });
      await row.waitFor();
      const memberId = await row.getAttribute('data-member-id');
      await page.getByTestId('issue-name').fill(`${member} laptop`);
      await page.getByTestId('issue-member').selectOption(memberId!);
      await page.getByTestId('issue-submit').click();
      const secret = (await page.getByTestId('issued-secret').textContent())!.trim();
      expect(secret).toMatch(/^qf_/);
      const keyRow = page.getByTestId('api-key-row').filter({ hasText: `${member} laptop` });
      expect(await keyRow.getByTestId('api-key-last-used').textContent()).toBe(words.never);
      await shot(page, 'key-issued');

      // The key works, and what it made is the member's; the page shows it was used, never its secret again.
      const campaign = await gqlOk<{ createCampaign: { id: string } }>(t.url, secret, CREATE, {
        input: {
          name: `${member} 的预告 ${locale}`,
          audience: { all: true },
          variants: [{ key: 'A', content: { text: 'hi' } }],
          channelPlan: [{ channel: 'channel:sandbox' }],
        },
      });
      await page.reload();
      await keyRow.waitFor();
      expect(await page.getByTestId('issued-key').count()).toBe(0);
      expect(await page.content()).not.toContain(secret);
      expect(await keyRow.getByTestId('api-key-last-used').textContent()).not.toBe(words.never);

      // Promote the member: their key takes the role at once.
      await row.getByTestId('member-role').selectOption('APPROVER');
      await expect.poll(() => keyRow.textContent()).toContain(locale === 'en' ? 'Approver' : '审批人');

      // Scope the key to read only: it may still read, no longer write.
      await keyRow.getByTestId('scope-edit').click();
      await keyRow.getByTestId('scope-access').selectOption('READ_ONLY');
      await keyRow.getByTestId('scope-rate').fill('30');
      await keyRow.getByTestId('scope-save').click();
      await expect.poll(() => keyRow.getByTestId('api-key-scope').textContent()).toContain(words.readOnly);
      const refused = await gql(t.url, secret, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', {
        id: campaign.createCampaign.id,
      });
      expect(codesOf(refused)).toEqual(['FORBIDDEN']);
      await shot(page, 'key-scoped');

      // The campaign list filters by that member, then by a name nobody used.
      await page.goto(`${t.url}/#/`);
      await page.getByTestId('campaign-row').first().waitFor();
      await page.getByTestId('filter-creator').selectOption(`m:${memberId}`);
      await expect
        .poll(() => page.getByTestId('campaign-row').getAttribute('data-campaign-id'))
        .toBe(campaign.createCampaign.id);
      expect(await page.getByTestId('campaign-row').count()).toBe(1);
      expect(page.url()).toContain(`creator=m%3A${memberId}`);
      await shot(page, 'list-by-creator');
      await page.getByTestId('filter-search').fill('没有这个名字');
      await page.getByTestId('list-empty').waitFor();
      await page.getByTestId('filter-clear').click();
      await expect.poll(() => page.getByTestId('campaign-row').count()).toBeGreaterThanOrEqual(1);

      // Revoke the key: it stops working.
      await page.goto(`${t.url}/#/settings`);
      await keyRow.getByTestId('api-key-revoke').click();
      await page.getByRole('dialog').getByTestId('confirm-ok').click();
      await keyRow.getByTestId('api-key-revoked').waitFor();
      expect(await keyRow.getByTestId('api-key-revoked').textContent()).toContain(words.revoked);
      expect(codesOf(await gql(t.url, secret, '{ viewer { role } }'))).toEqual(['UNAUTHENTICATED']);
      await shot(page, 'key-revoked');
      console.info(`screenshots (${locale}):\n${paths.join('\n')}`);
    });
  });
});
