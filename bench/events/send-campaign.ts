/*
 * The deliveries the legs report on, made by the product itself: contacts created over GraphQL, a
 * campaign over channel:sms-aliyun reviewed and approved (the default policy asks for it above 500
 * recipients), started and sent to the fake Aliyun server until it completes.
 */
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import { rows } from '@qunfa/api/src/db/database.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { sql } from 'drizzle-orm';
import type { BenchApi } from './bench-api.js';

const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;

export async function sendCampaign(
  api: BenchApi,
  base: string,
  contacts: number,
  say: (line: string) => void,
) {
  const { app, aliyun } = api;
  const [ws] = await app.deps.db.insert(workspaces).values({ name: 'bench' }).returning();
  const { key } = await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'bench', role: 'operator' });
  const approver = await createApiKey(app.deps.db, {
    workspaceId: ws!.id,
    name: 'approver',
    role: 'approver',
  });
  const gql = async <T>(query: string, variables: Record<string, unknown>, as = key): Promise<T> => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as}` },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data: T; errors?: unknown[] };
    if (json.errors) throw new Error(JSON.stringify(json.errors));
    return json.data;
  };

  say(`seeding ${contacts} contacts and sending them one SMS each through the fake Aliyun`);
  const { createTag } = await gql<{ createTag: { id: string } }>(
    'mutation($name: String!) { createTag(input: { name: $name }) { id } }',
    { name: 'bench' },
  );
  for (let from = 0; from < contacts; from += 1000) {
    const input = Array.from({ length: Math.min(1000, contacts - from) }, (_, j) => ({
      name: `c${from + j}`,
      identities: [{ kind: 'PHONE', value: phone(from + j) }],
      tagIds: [createTag.id],
    }));
    await gql('mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }', { input });
  }
  const { createCampaign } = await gql<{ createCampaign: { id: string } }>(
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        name: 'bench',
        audience: { tag: createTag.id },
        variants: [
          {
            key: 'A',
            content: {
              type: 'template',
              subject: 'SMS_1',
              text: 'code: 8888\nurl: https://example.com/offer',
            },
          },
        ],
        channelPlan: [{ channel: 'channel:sms-aliyun', trackLinks: true }],
        // A run at night (China time) would wait for 08:00.
        quietHours: { mode: 'OFF' },
      },
    },
  );
  const campaignId = createCampaign.id;
  // An audience over 500 needs an approval (the default policy): reviewed and approved as a user would.
  await gql('mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', { id: campaignId });
  await gql('mutation($id: ID!) { approveCampaign(id: $id) { state } }', { id: campaignId }, approver.key);
  await gql('mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: campaignId });
  for (let i = 0; ; i++) {
    const [c] = await rows<{ state: string }>(
      app.deps.db,
      sql`SELECT state FROM campaigns WHERE id = ${Number(campaignId)}::bigint`,
    );
    if (c?.state === 'completed') break;
    if (i > 1200) throw new Error('the campaign did not complete in 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const records = aliyun.account.records;
  if (records.length !== contacts) throw new Error(`the fake took ${records.length} of ${contacts} SMS`);
  say(`sent ${records.length}`);

  // Template SMS carry their variables as given (Aliyun templates hold the link), so the tracked
  // link a contact clicks is minted with the API's own key, for that contact's delivery.
  const deliveryOf = new Map(
    (
      await rows<{ id: string | number; value: string }>(
        app.deps.db,
        sql`SELECT d.id, ci.value FROM deliveries d JOIN contact_identities ci ON ci.contact_id = d.contact_id
            WHERE d.campaign_id = ${Number(campaignId)}::bigint AND ci.kind = 'phone'`,
      )
    ).map((r) => [r.value, String(r.id)]),
  );
  return { key, campaignId, records, deliveryOf };
}
export type SentCampaign = Awaited<ReturnType<typeof sendCampaign>>;
export type SmsRecord = SentCampaign['records'][number];
