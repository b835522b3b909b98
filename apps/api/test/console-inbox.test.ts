import { sandbox } from '@qunfa/channels';
import { builtinMetrics, ruleClassifier } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserRunnable, launchChromium, logIn, screenshotter } from './support/console-browser.js';
import { gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { message { id } } }`;
const ITEM_OF = `query { triageItems(first: 500) { edges { node { id status assignee repliedAt message { providerMessageId } } } } }`;

interface Item {
  id: string;
  status: string;
  assignee: string | null;
  repliedAt: string | null;
  message: { providerMessageId: string };
}

describe.skipIf(!browserRunnable)('inbox triage in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  const channel = sandbox({ latencyMs: { min: 1, max: 3 }, seed: 9 });
  const phone = (i: number) => `+86135${String(i).padStart(8, '0')}`;

  beforeAll(async () => {
    t = await startTestApp('pglite', { quietHours: 'off' }, [channel, ruleClassifier(), ...builtinMetrics()]);
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: Array.from({ length: 10 }, (_, i) => ({
          name: `客户${i}`,
          identities: [{ kind: 'PHONE', value: phone(i) }],
        })),
      },
    );
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const record = (i: number, text: string, id: string) =>
    gqlOk(t.url, t.a.keys.operator, RECORD, {
      i: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone(i), text, providerMessageId: id },
    });
  const itemOf = async (providerMessageId: string): Promise<Item> => {
    const { triageItems } = await gqlOk<{ triageItems: { edges: { node: Item }[] } }>(
      t.url,
      t.a.keys.viewer,
      ITEM_OF,
    );
    return triageItems.edges
      .map((e) => e.node)
      .find((n) => n.message.providerMessageId === providerMessageId)!;
  };

  describe.each([
    {
      locale: 'zh-CN' as const,
      base: 0,
      words: {
        complaint: '投诉',
        question: '咨询',
        assigned: '已分配',
        replied: '已回复',
        overdue: '已超时',
      },
    },
    {
      locale: 'en' as const,
      base: 5,
      words: {
        complaint: 'Complaint',
        question: 'Question',
        assigned: 'Assigned',
        replied: 'Replied',
        overdue: 'Overdue',
      },
    },
  ])('in $locale', ({ locale, base, words }) => {
    it('flags the overdue, assigns, replies over the channel once, resolves and reopens, and shows new replies live', async () => {
      const { shot, paths } = screenshotter(`inbox-${locale}`);
      await record(base, '你们天天发短信骚扰，我要投诉！', `${locale}-complaint`);
      await record(base + 1, '请问会员怎么办理？', `${locale}-question`);
      const complaint = await itemOf(`${locale}-complaint`);
      const question = await itemOf(`${locale}-question`);
      // The complaint's 15-minute deadline has passed, as if it had waited that long.
      await t.app.deps.db.execute(
        sql`UPDATE triage_items SET due_at = now() - interval '5 minutes' WHERE id = ${Number(complaint.id)}`,
      );

      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await logIn(page, t.url, t.a.keys.operator, locale, '#/inbox');
      const card = (id: string) => page.locator(`[data-testid="triage-item"][data-id="${id}"]`);
      await card(complaint.id).waitFor();
      expect(await card(complaint.id).getAttribute('data-overdue')).toBe('true');
      expect(await card(complaint.id).getByTestId('triage-label').textContent()).toBe(words.complaint);
      expect(await card(complaint.id).getByTestId('triage-overdue').textContent()).toContain(
        locale === 'en' ? 'Overdue' : '已超时',
      );
      expect(await card(question.id).getAttribute('data-overdue')).toBe('false');
      expect(await card(question.id).getByTestId('triage-label').textContent()).toBe(words.question);
      await card(question.id).getByTestId('triage-due').waitFor();
      expect(
        Number(await page.getByTestId('triage-summary').getAttribute('data-overdue')),
      ).toBeGreaterThanOrEqual(1);
      await shot(page, 'open');

      // The overdue view holds the complaint and not the question.
      await page.getByTestId('triage-view-overdue').check();
      await card(complaint.id).waitFor();
      await expect.poll(() => card(question.id).count()).toBe(0);
      await page.getByTestId('triage-view-open').check();

      // Assign the question, with the keyboard.
      const assignee = card(question.id).getByTestId('triage-assignee');
      await assignee.fill('小李');
      await assignee.press('Enter');
      await expect.poll(() => card(question.id).getAttribute('data-status')).toBe('ASSIGNED');
      expect(await card(question.id).getByTestId('triage-status').textContent()).toContain(words.assigned);
      expect((await itemOf(`${locale}-question`)).assignee).toBe('小李');

      // Reply over the channel it came from: sent once, listed on the item, which stays in sight
      // (marked handled) until the view changes, then lives in the replied view.
      const accepted = channel.provider.accepted().length;
      await card(question.id).getByTestId('triage-reply-text').fill('您好，回复1即可办理 / reply 1 to join');
      await card(question.id).getByTestId('triage-reply-send').click();
      await expect.poll(() => card(question.id).getAttribute('data-status')).toBe('REPLIED');
      expect(await card(question.id).getAttribute('data-handled')).toBe('true');
      expect(await card(question.id).getByTestId('triage-sent-reply').textContent()).toContain(
        '回复1即可办理',
      );
      expect(channel.provider.accepted().length).toBe(accepted + 1);
      const replied = await itemOf(`${locale}-question`);
      expect(replied.status).toBe('REPLIED');
      expect(replied.repliedAt).not.toBeNull();
      await page.getByTestId('triage-view-replied').check();
      await card(question.id).waitFor();
      expect(await card(question.id).getByTestId('triage-status').textContent()).toContain(words.replied);
      await shot(page, 'replied');

      // Close the complaint, find it among the closed, reopen it.
      await page.getByTestId('triage-view-open').check();
      await card(complaint.id).getByTestId('triage-resolve').click();
      await expect.poll(() => card(complaint.id).getAttribute('data-status')).toBe('RESOLVED');
      expect(await card(complaint.id).getAttribute('data-handled')).toBe('true');
      expect((await itemOf(`${locale}-complaint`)).status).toBe('RESOLVED');
      await page.getByTestId('triage-view-resolved').check();
      await card(complaint.id).getByTestId('triage-reopen').click();
      await expect.poll(() => card(complaint.id).getAttribute('data-status')).toBe('ASSIGNED');
      expect((await itemOf(`${locale}-complaint`)).status).toBe('ASSIGNED');

      // A new reply arrives while the page is open: it appears without a reload; the replied item is not in this view.
      await page.getByTestId('triage-view-open').check();
      await expect.poll(() => card(question.id).count()).toBe(0);
      await record(base + 2, '好的，我有兴趣，怎么购买？', `${locale}-live`);
      const live = await itemOf(`${locale}-live`);
      await card(live.id).waitFor({ timeout: 15_000 });
      await shot(page, 'live');
      console.info(`screenshots (${locale}):\n${paths.join('\n')}`);
    });
  });
});
