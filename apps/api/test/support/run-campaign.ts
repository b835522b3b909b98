import { gqlOk } from './graphql-client.js';
import type { TestApp } from './test-app.js';

/**
 * Creates a campaign over GraphQL with a key of workspace A (its operator's unless given), as a client would,
 * starts it and returns its id. `input` is a `CreateCampaignInput`.
 */
export async function createAndStartCampaign(
  t: TestApp,
  input: Record<string, unknown>,
  key: string = t.a.keys.operator,
): Promise<string> {
  const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
    t.url,
    key,
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    { input },
  );
  await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
    id: createCampaign.id,
  });
  return createCampaign.id;
}

/** Polls the store every 50 ms until the campaign has completed; throws after `seconds`. */
export async function waitForCompletion(t: TestApp, campaignId: string, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while ((await t.app.deps.store.getCampaign(campaignId))?.state !== 'completed') {
    if (Date.now() > deadline) throw new Error(`campaign ${campaignId} did not complete in ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs one sandbox campaign to the tag per name, one after another, each to its end; returns their ids. */
export async function runCampaignsToTag(t: TestApp, tag: string, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const id = await createAndStartCampaign(t, {
      name,
      audience: { tag },
      variants: [{ key: 'A', content: { text: `${name}，{{name}}` } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, id);
    ids.push(id);
  }
  return ids;
}

/** A reply from a phone over the sandbox, recorded as a channel would report it. */
export async function replyFromPhone(t: TestApp, phone: string, text: string): Promise<void> {
  await gqlOk(
    t.url,
    t.a.keys.operator,
    'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { __typename } }',
    { i: { channel: 'channel:sandbox', fromKind: 'PHONE', fromValue: phone, text } },
  );
}
