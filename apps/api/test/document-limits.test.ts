import { type DocumentNode, Kind, type OperationDefinitionNode, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costLimitValues, operationCost } from '../src/graphql/cost-limit.js';
import { schema } from '../src/graphql/schema/index.js';
import { documentLimitValues } from '../src/graphql/yoga.js';
import { insertPhoneContacts } from './support/bulk-contacts.js';
import { codesOf, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const limits = documentLimitValues;

describe('limits on a GraphQL document', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('pglite');
    key = t.a.keys.viewer;
  });
  afterAll(async () => {
    await t?.stop();
  });

  const refused = async (query: string, limit: RegExp) => {
    const res = await gql(t.url, key, query);
    expect(res.data ?? null).toBeNull();
    expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(
      codesOf(res)[0],
    );
    expect(res.errors!.map((e) => e.message).join(' ')).toMatch(limit);
  };

  it('answers the deepest query the console makes', async () => {
    const { campaigns } = await gqlOk<{ campaigns: { edges: unknown[] } }>(
      t.url,
      key,
      `{ campaigns(first: 5) { edges { node { id deliveries(first: 5) { edges { node { id attempts { status error } } } } } } } }`,
    );
    expect(campaigns.edges).toEqual([]);
  });

  it('refuses too many aliases, directives or tokens, and too deep a document', async () => {
    const aliases = Array.from({ length: limits.aliases + 1 }, (_, i) => `a${i}: tags { id }`).join(' ');
    await refused(`{ ${aliases} }`, /alias/i);
    const directives = Array.from({ length: limits.directives + 1 }, () => '@include(if: true)').join(' ');
    await refused(`{ tags ${directives} { id } }`, /directive/i);
    const tokens = Array.from({ length: limits.tokens }, () => 'id').join(' ');
    await refused(`{ tags { ${tokens} } }`, /token/i);
    let deep = 'id';
    for (let i = 0; i <= limits.depth; i++) deep = `x${i} { ${deep} }`;
    await refused(`{ ${deep} }`, /depth/i);
  });

  it('refuses an over-limit subscription over graphql-ws too', async () => {
    const client = wsClient(t.url, key);
    try {
      const aliases = Array.from(
        { length: limits.aliases + 1 },
        (_, i) => `a${i}: campaignProgress(campaignId: "1") { campaignId }`,
      ).join(' ');
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { ${aliases} }` },
          { next: () => {}, error: resolve, complete: () => resolve(undefined) },
        );
      });
      expect(JSON.stringify(errors)).toMatch(/alias/i);
    } finally {
      await client.dispose();
    }
  });

  describe('the cost limit', () => {
    const PAGE = `query Page($id: ID!, $first: Int!, $after: String) { campaign(id: $id) { id
      deliveries(first: $first, after: $after) { edges { cursor node { id contactId contactName channel state
        failureClass lastError providerMessageId resolution suppressionReason variantId updatedAt
        attempts { account at attempt channel error failureClass note providerMessageId status } } }
        pageInfo { hasNextPage endCursor } } } }`;
    const NESTED = `query Nested($campaigns: Int!, $deliveries: Int!) { campaigns(first: $campaigns) { edges { node { id
      deliveries(first: $deliveries) { edges { node { id state attempts { status } } } } } } } }`;
    const isCostError = (res: { errors?: { extensions?: Record<string, unknown> }[] }) =>
      res.errors?.some((e) => e.extensions?.limit === 'cost') ?? false;

    it('lets a page of 500 deliveries, every field asked, through', async () => {
      await insertPhoneContacts(t.app.deps.db, t.a.id, 500);
      const op = t.a.keys.operator;
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        op,
        'mutation { createCampaign(input: { name: "page", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }',
      );
      const id = createCampaign.id;
      await gqlOk(t.url, op, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', { id });
      const page = await gql<{ campaign: { deliveries: { edges: unknown[] } } }>(t.url, key, PAGE, {
        id,
        first: 500,
      });
      expect(page.errors ?? []).toEqual([]);
      expect(page.data?.campaign.deliveries.edges).toHaveLength(500);
    });

    it('refuses nested pages that would read thousands of rows, however the sizes are sent', async () => {
      for (const [query, variables] of [
        [NESTED, { campaigns: 5, deliveries: 500 }],
        [
          '{ campaigns(first: 200) { edges { node { id deliveries(first: 500) { edges { node { id } } } } } } }',
          {},
        ],
        // Omitted sizes count as the fields' default pages (20 campaigns × 50 deliveries × …).
        [
          '{ campaigns { edges { node { deliveries { edges { node { attempts { status } } } } runs { deliveries { edges { node { id } } } } } } } }',
          {},
        ],
      ] as const) {
        const res = await gql(t.url, key, query, variables);
        expect(res.data ?? null, JSON.stringify(res)).toBeNull();
        expect(codesOf(res)).toEqual(['BAD_USER_INPUT']);
        expect(res.errors?.[0]?.extensions).toMatchObject({
          limit: 'cost',
          maxCost: costLimitValues.maxCost,
        });
      }
      // Smaller pages of the same shape pass.
      expect(isCostError(await gql(t.url, key, NESTED, { campaigns: 2, deliveries: 100 }))).toBe(false);
    });

    it('refuses over graphql-ws as well', async () => {
      const client = wsClient(t.url, key);
      try {
        const errors = await new Promise<unknown>((resolve) => {
          client.subscribe(
            { query: NESTED, variables: { campaigns: 200, deliveries: 500 } },
            { next: (r) => resolve(r.errors), error: resolve, complete: () => resolve(undefined) },
          );
        });
        expect(JSON.stringify(errors)).toContain('"limit":"cost"');
      } finally {
        await client.dispose();
      }
    });

    it('weighs a document without pages once, and a paged one by its page sizes on every request', () => {
      const RECORD = parse(
        'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { duplicate message { id text } } }',
      );
      const first = operationCost(schema, RECORD, { i: { text: 'a' } });
      expect(first.allowed).toBe(true);
      // The same document object (yoga's parser cache hands one to every request of a text) is not
      // walked again: a field added to it in place afterwards is not weighed, a fresh parse is.
      const bigger = parse(
        'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { duplicate attributed recorded message { id text channel campaignId } } }',
      );
      (RECORD.definitions[0] as { selectionSet: unknown }).selectionSet = (
        bigger.definitions[0] as OperationDefinitionNode
      ).selectionSet;
      expect(operationCost(schema, RECORD, { i: { text: 'b' } }).cost).toBe(first.cost);
      expect(operationCost(schema, parse(print(RECORD)), {}).cost).toBeGreaterThan(first.cost);
      // A paged document is weighed with each request's page sizes, however often it comes.
      const nested = parse(NESTED);
      const small = operationCost(schema, nested, { campaigns: 2, deliveries: 10 });
      const large = operationCost(schema, nested, { campaigns: 200, deliveries: 500 });
      expect(large.cost).toBeGreaterThan(small.cost);
      expect([small.allowed, large.allowed]).toEqual([true, false]);
      expect(operationCost(schema, nested, { campaigns: 2, deliveries: 10 }).cost).toBe(small.cost);
    });

    it('passes every query and mutation the console sends, at pages of 500 (or the largest its module sends)', async () => {
      const modules = [
        'accounts/accounts-documents',
        'campaigns/campaign-documents',
        'campaigns/breakdown-documents',
        'composer/composer-documents',
        'contacts/contact-documents',
        'inbox/inbox-documents',
        'inbox/triage-documents',
        'review/review-documents',
        'settings/settings-documents',
        'auth/viewer-query',
      ];
      let checked = 0;
      for (const path of modules) {
        const url = new URL(`../../console/src/${path}.ts`, import.meta.url).href;
        const exported = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
        // A module whose screen never asks for 500 says so, and is costed at the page it does send.
        const page = typeof exported.largestPage === 'number' ? exported.largestPage : 500;
        for (const [name, value] of Object.entries(exported)) {
          const document = value as DocumentNode;
          if (document?.kind !== Kind.DOCUMENT) continue;
          const operation = document.definitions.find(
            (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
          );
          if (!operation) continue;
          const pages = Object.fromEntries(
            (operation.variableDefinitions ?? [])
              .filter((v) => /^(first|last)$/.test(v.variable.name.value))
              .map((v) => [v.variable.name.value, page]),
          );
          const { cost, allowed } = operationCost(schema, document, pages, operation.name?.value);
          expect(allowed, `${path} ${name} costs ${cost}`).toBe(true);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
      // The weights are Armor's defaults, so the figures in cost-limit.ts stay true.
      expect(Math.round(operationCost(schema, parse(PAGE), { id: '1', first: 500 }).cost)).toBe(84050);
    });
  });
});
