import { type SandboxChannel, sandbox } from '@qunfa/channels';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { drivers } from './support/databases.js';
import { gqlOk } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PREVIEW = `query($a: JSON!) { audiencePreview(audience: $a) { matched sendable suppressed { reason count } } }`;

async function waitFor(t: TestApp, id: string, state: string) {
  for (let i = 0; i < 400; i++) {
    if ((await t.app.deps.store.getCampaign(id))?.state === state) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`campaign ${id} never reached ${state}`);
}

describe.each(drivers)('unsubscribe links on %s', (driver) => {
  let t: TestApp;
  let channel: SandboxChannel;
  let tag: string;
  let links: string[];
  let clickTokens: string[];

  beforeAll(async () => {
    channel = sandbox({ name: 'channel:plain', latencyMs: { min: 1, max: 2 }, seed: 3 });
    t = await startTestApp(driver, {}, [channel, ...builtinMetrics()]);
    const key = t.a.keys.operator;
    tag = await seedTaggedContacts(t.url, key, {
      tagName: 'members',
      count: 3,
      identity: (i) => ({ kind: 'PHONE', value: `1370013000${i}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      key,
      `mutation($tag: ID!) { createCampaign(input: { name: "u", audience: { tag: $tag },
        variants: [{ key: "A", content: { text: "会员日特惠 https://shop.cn/a ，退订点 {{unsubscribe}}" } }],
        channelPlan: [{ channel: "channel:plain" }] }) { id } }`,
      { tag },
    );
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    await waitFor(t, createCampaign.id, 'completed');
    const parsed = channel.provider.accepted().map((m) => {
      const match =
        /^会员日特惠 http:\/\/127\.0\.0\.1:\d+\/l\/([A-Za-z0-9_-]{12,24}) ，退订点 (http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]{12,24})$/.exec(
          m.content.text,
        );
      expect(match, m.content.text).not.toBeNull();
      return { click: match![1]!, unsubscribe: match![2]! };
    });
    links = parsed.map((p) => p.unsubscribe);
    clickTokens = parsed.map((p) => p.click);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends each recipient its own link; opening it asks, only a POST unsubscribes', async () => {
    expect(new Set(links).size).toBe(3);
    const db = t.app.deps.db;
    const before = await rowCounts(db);
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await fetch(links[0]!, { method, headers: { 'user-agent': 'Mozilla/5.0 MicroMessenger' } });
      expect(res.status).toBe(200);
      if (method === 'GET') expect(await res.text()).toContain('<form method="post">');
    }
    expect(await rowCounts(db)).toEqual(before);

    const confirm = await fetch(links[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirm=1',
    });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('已退订');
    // RFC 8058 one-click, from a mail client.
    const oneClick = await fetch(links[1]!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    const { audiencePreview } = await gqlOk<{
      audiencePreview: { matched: number; sendable: number; suppressed: { reason: string; count: number }[] };
    }>(t.url, t.a.keys.viewer, PREVIEW, { a: { tag } });
    expect(audiencePreview).toEqual({
      matched: 3,
      sendable: 1,
      suppressed: [{ reason: 'UNSUBSCRIBED', count: 2 }],
    });
    const notes = await rows<{ note: string }>(db, sql`SELECT note FROM suppressions ORDER BY contact_id`);
    expect(notes).toEqual([{ note: 'link' }, { note: 'link' }]);

    // Again: nothing more is written.
    const written = await rowCounts(db);
    expect((await fetch(links[0]!, { method: 'POST', body: '' })).status).toBe(200);
    expect(await rowCounts(db)).toEqual(written);
    expect(written.events! - before.events!).toBe(2);
    expect(written.audit_log! - before.audit_log!).toBe(2);
  });

  it('refuses a forged, a malformed or a click token with 404 and writes nothing', async () => {
    const db = t.app.deps.db;
    const before = await rowCounts(db);
    const token = links[2]!.split('/u/')[1]!;
    const forged = `${t.url}/u/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    // A click token is signed with another key: never an unsubscribe.
    for (const url of [forged, `${t.url}/u/${clickTokens[2]}`, `${t.url}/u/not-a-token`, `${t.url}/u/`]) {
      expect((await fetch(url, { method: 'POST', body: 'confirm=1' })).status).toBe(404);
      expect((await fetch(url)).status).toBe(404);
    }
    expect((await fetch(links[2]!, { method: 'PUT' })).status).toBe(405);
    expect((await fetch(links[2]!, { method: 'POST', body: 'x'.repeat(5000) })).status).toBe(413);
    expect(await rowCounts(db)).toEqual(before);
  });
});
