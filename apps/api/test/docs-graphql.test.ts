import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sandbox } from '@qunfa/channels';
import { errorCodes } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/roles.js';
import { signWebhook } from '../src/services/webhooks/signature.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const page = readFileSync(fileURLToPath(new URL('../../../docs/graphql.md', import.meta.url)), 'utf8');

/** ```graphql name=… as=<role> [expect=CODE]``` blocks, in page order. */
const operations = [...page.matchAll(/```graphql name=(\S+) as=(\w+)(?: expect=(\w+))?\n([\s\S]*?)```/g)].map(
  (m) => ({ name: m[1]!, role: m[2] as Role, expect: m[3], document: m[4]! }),
);
/** ```json vars=<name>``` blocks: the variables of that operation, `{{path}}` filled from earlier answers. */
const variables = new Map(
  [...page.matchAll(/```json vars=(\S+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]),
);
/** ```ts file=…``` blocks: written next to this test so `graphql-ws` and `ws` resolve. */
const files = new Map([...page.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
const dir = fileURLToPath(new URL(`./.docs-graphql-${process.pid}/`, import.meta.url));
const load = <T>(name: string) => import(pathToFileURL(join(dir, name)).href) as Promise<T>;

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) {
      throw new Error(`{{${path}}}: no "${part}" in the answers so far`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

describe('docs/graphql.md, executed against a running server', () => {
  let t: TestApp;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  const context: Record<string, unknown> = {};

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    for (const [name, code] of files) writeFileSync(join(dir, name), code);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    context.receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    t = await startTestApp(
      'pglite',
      // The page's receiver is this test, on loopback: allowed as WEBHOOK_ALLOW_ADDRESSES would.
      // An archive folder of its own: the page's restoreArchive reads from it.
      {
        webhooks: { pollIntervalMs: 50, baseDelayMs: 200, addresses: { allow: ['127.0.0.1'] } },
        archiveDir: join(dir, 'archive'),
      },
      [sandbox({ latencyMs: { min: 1, max: 3 } }), ...builtinMetrics()],
    );
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the examples the page promises', () => {
    expect(operations.map((o) => o.name)).toEqual([
      'viewer',
      'tag',
      'contacts',
      'tagged',
      'preview',
      'groups',
      'campaign',
      'submit',
      'approve',
      'start',
      'metrics',
      'failed',
      'resend',
      'restore',
      'forbidden',
      'register',
      'webhook',
    ]);
    expect([...files.keys()].sort()).toEqual(['follow-sse.ts', 'follow-ws.ts', 'verify-webhook.ts']);
    for (const name of variables.keys()) expect(operations.map((o) => o.name)).toContain(name);
  });

  it('runs every operation in page order, each answering as the page says', async () => {
    const after: Record<string, () => Promise<void>> = {
      preview: async () => {
        const stated = JSON.parse(/The answer here is `(\{.*?\})`/.exec(page)![1]!);
        expect((context.preview as { audiencePreview: unknown }).audiencePreview).toEqual(stated);
      },
      groups: async () => {
        // 'Here no WeCom corp is synced: the list is empty.'
        expect(context.groups).toEqual({ customerGroups: { edges: [] } });
      },
      start: async () => {
        const id = lookup(context, 'campaign.createCampaign.id') as string;
        const { follow } = await load<{ follow: (u: string, k: string, id: string) => Promise<string[]> }>(
          'follow-ws.ts',
        );
        expect((await follow(t.url, t.a.keys.viewer, id)).at(-1)).toBe('COMPLETED');
        const { followSse } = await load<{
          followSse: (
            u: string,
            k: string,
            id: string,
          ) => Promise<{ state: string; counters: { total: number } }>;
        }>('follow-sse.ts');
        expect(await followSse(t.url, t.a.keys.viewer, id)).toMatchObject({
          state: 'COMPLETED',
          counters: { total: 2, sent: 2, failed: 0 },
        });
      },
      restore: async () => {
        // 'Nothing of that month is archived here, so every count is 0.'
        expect(context.restore).toEqual({
          restoreArchive: {
            campaigns: 0,
            alreadyRestored: 0,
            inProgress: 0,
            deliveries: 0,
            attempts: 0,
            events: 0,
          },
        });
      },
      submit: async () => {
        expect(context.submit).toMatchObject({
          submitCampaignForReview: {
            state: 'IN_REVIEW',
            review: { steps: [{ name: 'review', separated: true }] },
          },
        });
      },
      metrics: async () => {
        const metrics = (context.metrics as { campaign: { metrics: { name: string }[] } }).campaign.metrics;
        expect(metrics.map((m) => m.name)).toContain('metric:delivery-rate');
      },
    };
    for (const op of operations) {
      const raw = variables.get(op.name);
      const vars = raw
        ? (JSON.parse(
            raw.replace(/"\{\{([\w.]+)\}\}"/g, (_, path: string) => JSON.stringify(lookup(context, path))),
          ) as Record<string, unknown>)
        : {};
      const res = await gql(t.url, t.a.keys[op.role], op.document, vars);
      if (op.expect) {
        expect(codesOf(res), op.name).toEqual([op.expect]);
        continue;
      }
      expect(res.errors ?? [], `${op.name}: ${JSON.stringify(res.errors)}`).toEqual([]);
      context[op.name] = res.data;
      await after[op.name]?.();
    }
    // The refused createTag changed nothing.
    const { tags } = await gqlOk<{ tags: { name: string }[] }>(t.url, t.a.keys.viewer, '{ tags { name } }');
    expect(tags.map((tag) => tag.name)).toEqual(['会员']);
  });

  it('runs the registered document by its hash, as the page says', async () => {
    const doc = JSON.parse(variables.get('register')!).doc as string;
    const hash = createHash('sha256').update(doc).digest('hex');
    expect(
      (context.register as { registerPersistedOperation: { hash: string } }).registerPersistedOperation.hash,
    ).toBe(hash);
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.a.keys.viewer}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });
    expect(await res.json()).toEqual({ data: { viewer: { role: 'VIEWER' } } });
  });

  it('delivers a signed event to the registered URL, and the page’s check accepts it', async () => {
    const { secret } = (context.webhook as { createWebhookEndpoint: { secret: string } })
      .createWebhookEndpoint;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      'mutation { createCampaign(input: { name: "x", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }',
    );
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', {
      id: createCampaign.id,
    });
    for (let i = 0; i < 200 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [request] = received;
    expect(request).toBeDefined();
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'campaign.state_changed',
      data: { campaignId: createCampaign.id, from: 'draft', to: 'in_review' },
    });
    const { verifyQunfaSignature } = await load<{
      verifyQunfaSignature: (secret: string, header: string, body: string, now?: number) => boolean;
    }>('verify-webhook.ts');
    const header = request!.headers['qunfa-signature'] as string;
    expect(verifyQunfaSignature(secret, header, request!.body)).toBe(true);
    expect(verifyQunfaSignature(secret, header, request!.body.replace('in_review', 'approved'))).toBe(false);
    expect(verifyQunfaSignature(`${secret}x`, header, request!.body)).toBe(false);
    const stale = signWebhook(secret, request!.body, new Date(Date.now() - 10 * 60_000));
    expect(verifyQunfaSignature(secret, stale, request!.body)).toBe(false);
  });

  it('lists every error code the server has, in its table', () => {
    const table = new Set([...page.matchAll(/^\| `([A-Z_]+)`\s*\|/gm)].map((m) => m[1]!));
    for (const code of errorCodes) expect(table, code).toContain(code);
  });
});
