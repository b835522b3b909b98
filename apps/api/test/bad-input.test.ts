import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drivers } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { rowCounts } from './support/row-counts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const CREATE_CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id state } }`;

describe.each(drivers)('bad input gets a typed error and writes nothing (%s)', (driver) => {
  let t: TestApp;
  let tagA: string;
  let contactA: string;
  let campaignB: string;
  let completedA: string;
  let draftA: string;

  const campaignInput = (tag: string, overrides: Record<string, unknown> = {}) => ({
    name: 'c',
    audience: { tag },
    variants: [{ key: 'A', content: { text: 'hi' } }],
    channelPlan: [{ channel: 'channel:sandbox' }],
    ...overrides,
  });

  /** Runs a call that must be refused with `code`, and checks that no table changed. */
  async function refused(
    code: string,
    key: string | undefined,
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    const before = await rowCounts(t.app.deps.db);
    const res = await gql(t.url, key, query, variables);
    expect(codesOf(res)).toContain(code);
    expect(await rowCounts(t.app.deps.db)).toEqual(before);
    return res;
  }

  beforeAll(async () => {
    t = await startTestApp(driver);
    const op = t.a.keys.operator;
    tagA = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        op,
        'mutation { createTag(input: { name: "a" }) { id } }',
      )
    ).createTag.id;
    contactA = (
      await gqlOk<{ createContact: { id: string } }>(
        t.url,
        op,
        'mutation($tag: ID!) { createContact(input: { name: "x", identities: [{ kind: PHONE, value: "+8613800000001" }], tagIds: [$tag] }) { id } }',
        { tag: tagA },
      )
    ).createContact.id;
    completedA = (
      await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE_CAMPAIGN, {
        input: campaignInput(tagA),
      })
    ).createCampaign.id;
    draftA = (
      await gqlOk<{ createCampaign: { id: string } }>(t.url, op, CREATE_CAMPAIGN, {
        input: campaignInput(tagA),
      })
    ).createCampaign.id;
    await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id: completedA });
    for (let i = 0; ; i++) {
      const { campaign } = await gqlOk<{ campaign: { state: string } }>(
        t.url,
        op,
        'query($id: ID!) { campaign(id: $id) { state } }',
        { id: completedA },
      );
      if (campaign.state === 'COMPLETED') break;
      if (i > 300) throw new Error(`the one-recipient campaign did not complete: ${campaign.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tagB = (
      await gqlOk<{ createTag: { id: string } }>(
        t.url,
        t.b.keys.admin,
        'mutation { createTag(input: { name: "b" }) { id } }',
      )
    ).createTag.id;
    campaignB = (
      await gqlOk<{ createCampaign: { id: string } }>(t.url, t.b.keys.admin, CREATE_CAMPAIGN, {
        input: campaignInput(tagB),
      })
    ).createCampaign.id;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a call without a key, or with an unknown one, as UNAUTHENTICATED with HTTP 401', async () => {
    const res = await refused('UNAUTHENTICATED', undefined, '{ campaigns { edges { cursor } } }');
    expect(res.status).toBe(401);
    const forged = await refused(
      'UNAUTHENTICATED',
      'qf_not-a-real-key',
      'mutation { createTag(input: { name: "z" }) { id } }',
    );
    expect(forged.status).toBe(401);
  });

  it('answers unknown ids with NOT_FOUND codes', async () => {
    const key = t.a.keys.admin;
    await refused('CAMPAIGN_NOT_FOUND', key, '{ campaign(id: "999999") { id } }');
    await refused('CAMPAIGN_NOT_FOUND', key, '{ campaign(id: "not-an-id") { id } }');
    await refused('CAMPAIGN_NOT_FOUND', key, 'mutation { startCampaign(id: "999999") { id } }');
    await refused('CONTACT_NOT_FOUND', key, '{ contact(id: "999999") { id } }');
    await refused(
      'TAG_NOT_FOUND',
      key,
      'mutation($c: [ID!]!) { tagContacts(tagId: "999999", contactIds: $c) }',
      {
        c: [contactA],
      },
    );
    await refused(
      'CONTACT_NOT_FOUND',
      key,
      'mutation($t: ID!) { tagContacts(tagId: $t, contactIds: ["999999"]) }',
      {
        t: tagA,
      },
    );
    await refused('TAG_NOT_FOUND', key, CREATE_CAMPAIGN, { input: campaignInput('999999') });
  });

  it('refuses to start a completed campaign (ILLEGAL_TRANSITION) or edit a non-draft', async () => {
    const key = t.a.keys.operator;
    await refused('ILLEGAL_TRANSITION', key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: completedA,
    });
    await refused('ILLEGAL_TRANSITION', key, 'mutation($id: ID!) { pauseCampaign(id: $id) { id } }', {
      id: completedA,
    });
    await refused('ILLEGAL_TRANSITION', key, 'mutation($id: ID!) { resumeCampaign(id: $id) { id } }', {
      id: draftA,
    });
    await refused(
      'CAMPAIGN_NOT_EDITABLE',
      key,
      'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "n" }) { id } }',
      {
        id: completedA,
      },
    );
  });

  it('refuses every mutation to a viewer key with FORBIDDEN', async () => {
    const key = t.a.keys.viewer;
    await refused('FORBIDDEN', key, 'mutation { createTag(input: { name: "v" }) { id } }');
    await refused('FORBIDDEN', key, 'mutation { createContact(input: { name: "v" }) { id } }');
    await refused('FORBIDDEN', key, CREATE_CAMPAIGN, { input: campaignInput(tagA) });
    await refused('FORBIDDEN', key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id: draftA });
    await refused('FORBIDDEN', key, 'mutation($id: ID!) { cancelCampaign(id: $id) { id } }', { id: draftA });
    await refused('FORBIDDEN', t.a.keys.approver, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: draftA,
    });
    // Reading stays open to the viewer.
    const read = await gqlOk<{ campaign: { state: string } }>(
      t.url,
      key,
      'query($id: ID!) { campaign(id: $id) { state } }',
      {
        id: draftA,
      },
    );
    expect(read.campaign.state).toBe('DRAFT');
  });

  it('never lets a key of workspace A see or touch workspace B', async () => {
    const key = t.a.keys.admin;
    await refused('CAMPAIGN_NOT_FOUND', key, 'query($id: ID!) { campaign(id: $id) { id } }', {
      id: campaignB,
    });
    await refused('CAMPAIGN_NOT_FOUND', key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
      id: campaignB,
    });
    await refused(
      'CAMPAIGN_NOT_FOUND',
      key,
      'mutation($id: ID!) { updateCampaign(id: $id, input: { name: "x" }) { id } }',
      {
        id: campaignB,
      },
    );
    await refused('CONTACT_NOT_FOUND', t.b.keys.admin, 'query($id: ID!) { contact(id: $id) { id } }', {
      id: contactA,
    });
    await refused(
      'TAG_NOT_FOUND',
      t.b.keys.admin,
      'mutation($t: ID!) { createContact(input: { tagIds: [$t] }) { id } }',
      {
        t: tagA,
      },
    );
    const list = await gqlOk<{ campaigns: { edges: { node: { id: string } }[] } }>(
      t.url,
      key,
      '{ campaigns(first: 100) { edges { node { id } } } }',
    );
    expect(list.campaigns.edges.map((e) => e.node.id)).not.toContain(campaignB);
    const tags = await gqlOk<{ tags: { name: string }[] }>(t.url, t.b.keys.viewer, '{ tags { name } }');
    expect(tags.tags.map((x) => x.name)).toEqual(['b']);

    const client = wsClient(t.url, key);
    const sub = collect(client, 'subscription($id: ID!) { campaignProgress(id: $id) { state } }', {
      id: campaignB,
    });
    await sub.done;
    client.dispose();
    expect(sub.events).toEqual([]);
    expect(JSON.stringify(sub.errors)).toContain('CAMPAIGN_NOT_FOUND');
  });

  it('refuses a subscription without a key', async () => {
    const client = wsClient(t.url, undefined);
    const sub = collect(client, 'subscription($id: ID!) { campaignProgress(id: $id) { state } }', {
      id: draftA,
    });
    await sub.done;
    client.dispose();
    expect(sub.events).toEqual([]);
    expect(JSON.stringify(sub.errors)).toContain('UNAUTHENTICATED');
  });

  it('validates input with INVALID_INPUT, CHANNEL_NOT_FOUND and CONFLICT', async () => {
    const key = t.a.keys.operator;
    await refused('CHANNEL_NOT_FOUND', key, CREATE_CAMPAIGN, {
      input: campaignInput(tagA, { channelPlan: [{ channel: 'channel:nope' }] }),
    });
    const four = ['A', 'B', 'C', 'D'].map((k) => ({ key: k, content: { text: 'x' } }));
    const res = await refused('INVALID_INPUT', key, CREATE_CAMPAIGN, {
      input: campaignInput(tagA, { variants: four }),
    });
    expect(res.errors?.[0]?.extensions?.details?.field).toBe('variants');
    await refused('INVALID_INPUT', key, CREATE_CAMPAIGN, {
      input: campaignInput(tagA, { audience: { tag: tagA, not: { all: true } } }),
    });
    await refused('INVALID_INPUT', key, CREATE_CAMPAIGN, { input: campaignInput(tagA, { name: '   ' }) });
    await refused('INVALID_INPUT', key, '{ campaigns(first: 100000) { edges { cursor } } }');
    await refused('INVALID_INPUT', key, '{ contacts(after: "garbage") { edges { cursor } } }');
    // A batch with one duplicate identity is refused whole: the first contact is not kept either.
    await refused(
      'CONFLICT',
      key,
      'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
      {
        input: [
          { name: 'new', identities: [{ kind: 'PHONE', value: '+8613800000099' }] },
          { name: 'dup', identities: [{ kind: 'PHONE', value: '+8613800000001' }] },
        ],
      },
    );
  });
});
