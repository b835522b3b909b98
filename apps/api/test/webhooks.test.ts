import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sandbox } from '@qunfa/channels';
import { silentLogger } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { rows } from '../src/db/database.js';
import { signWebhook, verifyWebhookSignature } from '../src/services/webhooks/signature.js';
import { createTestDatabase } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';
import { dropRedisPrefix, testRedisPrefix, testRedisUrl } from './support/redis.js';
import { addWorkspace, startTestApp, type TestApp, testPlugins } from './support/test-app.js';

/** A partner's receiver: records every request; `mode` makes it answer 503 or 200. */
function receiver() {
  const requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  /** What the partner acted on: each event id once, however often it arrived. */
  const processed = new Map<string, { type: string; data: Record<string, unknown> }>();
  const state = { mode: 'up' as 'up' | 'down' };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ headers: req.headers, body });
      if (state.mode === 'down') return void res.writeHead(503).end('maintenance');
      const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };
      if (!processed.has(event.id)) processed.set(event.id, { type: event.type, data: event.data });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  return {
    requests,
    processed,
    state,
    server,
    async listen(port = 0): Promise<string> {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/qunfa-events`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let value: T | undefined;
  for (let i = 0; i < 600; i++) {
    value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value).slice(0, 60000)}`);
}

interface Deliveries {
  webhookDeliveries: {
    edges: {
      node: {
        id: string;
        eventId: string;
        eventType: string;
        status: string;
        attempts: number;
        payload: { id: string; type: string; data: Record<string, unknown> };
        log: { attempt: number; statusCode: number | null; error: string | null }[];
      };
    }[];
  };
}
const DELIVERIES = `{ webhookDeliveries(first: 100) { edges { node { id eventId eventType status attempts payload
  log { attempt statusCode error } } } } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id url eventTypes enabled } } }`;
const CAMPAIGN =
  'mutation { createCampaign(input: { name: "会员日", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:sandbox" }] }) { id } }';

const retry = {
  baseDelayMs: 150,
  maxDelayMs: 600,
  pollIntervalMs: 30,
  timeoutMs: 2000,
  maxAttempts: 50,
  // An outage here may outlast 50 quick attempts on a loaded machine: the endpoint stays enabled
  // (the guarded-endpoints suite tests disabling).
  disableAfterFailures: 0,
  // The receivers here listen on loopback, which a production server refuses.
  addresses: { allow: ['127.0.0.1'] },
};

/**
 * The two ways the outbox is sent: polled from the database, or as BullMQ jobs when Redis is set.
 * (PGlite polls as PostgreSQL does: the guarded-endpoints suite below and docs-graphql run on it.)
 */
const transports = [
  { name: 'PostgreSQL outbox, no Redis', driver: 'postgres' as const, redis: false },
  { name: 'BullMQ on Redis (PostgreSQL)', driver: 'postgres' as const, redis: true },
];

/** Config for a transport: its own Redis prefix when it uses Redis. */
function transportConfig(transport: (typeof transports)[number], label: string): Partial<AppConfig> {
  return transport.redis ? { redisUrl: testRedisUrl, redisPrefix: testRedisPrefix(label) } : {};
}

describe.each(transports)('outbound webhooks: $name', (transport) => {
  let t: TestApp;
  const partner = receiver();
  let url = '';
  const config = transportConfig(transport, 'webhooks');
  beforeAll(async () => {
    url = await partner.listen();
    t = await startTestApp(transport.driver, { webhooks: retry, ...config });
  });
  afterAll(async () => {
    await t?.stop();
    await partner.close();
    if (config.redisPrefix) await dropRedisPrefix(config.redisPrefix);
  });

  it('is managed by admins only, with typed errors for bad input', async () => {
    const input = { url, eventTypes: ['campaign.state_changed'] };
    expect(codesOf(await gql(t.url, t.a.keys.operator, CREATE_ENDPOINT, { input }))).toEqual(['FORBIDDEN']);
    for (const bad of [
      { url: 'ftp://partner.example/x', eventTypes: ['campaign.state_changed'] },
      { url: 'https://user:pw@partner.example/x', eventTypes: ['campaign.state_changed'] },
      { url, eventTypes: ['campaign.exploded'] },
      { url, eventTypes: [] },
    ]) {
      expect(
        codesOf(await gql(t.url, t.a.keys.admin, CREATE_ENDPOINT, { input: bad })),
        JSON.stringify(bad),
      ).toEqual(['INVALID_INPUT']);
    }
    const { webhookEndpoints } = await gqlOk<{ webhookEndpoints: unknown[] }>(
      t.url,
      t.a.keys.admin,
      '{ webhookEndpoints { id } }',
    );
    expect(webhookEndpoints).toEqual([]);
    const { webhookEventTypes } = await gqlOk<{ webhookEventTypes: { name: string }[] }>(
      t.url,
      t.a.keys.viewer,
      '{ webhookEventTypes { name description } }',
    );
    expect(webhookEventTypes.map((e) => e.name)).toContain('campaign.state_changed');
  });

  it('signs each delivery, retries through an outage, and a deduplicating receiver acts on each event once', async () => {
    const { createWebhookEndpoint } = await gqlOk<{
      createWebhookEndpoint: { secret: string; endpoint: { id: string; eventTypes: string[] } };
    }>(t.url, t.a.keys.admin, CREATE_ENDPOINT, {
      input: { url, eventTypes: ['campaign.state_changed', 'approval.requested', 'approval.step_approved'] },
    });
    const { secret } = createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_/);
    // Another workspace's events never reach this endpoint.
    await gqlOk(t.url, t.b.keys.operator, CAMPAIGN);

    partner.state.mode = 'down';
    await gqlOk(
      t.url,
      t.a.keys.operator,
      'mutation { createContacts(input: [{ name: "a", identities: [{ kind: PHONE, value: "+8613800000009" }] }]) { id } }',
    );
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.a.keys.operator,
      CAMPAIGN,
    );
    const id = createCampaign.id;
    await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', {
      id,
    });
    await gqlOk(t.url, t.a.keys.approver, 'mutation($id: ID!) { approveCampaign(id: $id) { id } }', { id });

    // The outage: every request answered 503, each delivery tried again and again.
    const failing = await until(
      () => gqlOk<Deliveries>(t.url, t.a.keys.admin, DELIVERIES),
      (d) =>
        d.webhookDeliveries.edges.length === 4 &&
        d.webhookDeliveries.edges.every((e) => e.node.log.length >= 2),
      'two failed attempts of each delivery',
    );
    for (const { node } of failing.webhookDeliveries.edges) {
      expect(node.log.slice(0, 2)).toMatchObject([
        { attempt: 1, statusCode: 503, error: 'HTTP 503' },
        { attempt: 2, statusCode: 503 },
      ]);
    }
    expect(partner.processed.size).toBe(0);

    partner.state.mode = 'up';
    const done = await until(
      () => gqlOk<Deliveries>(t.url, t.a.keys.admin, DELIVERIES),
      (d) => d.webhookDeliveries.edges.every((e) => e.node.status === 'delivered'),
      'every delivery delivered',
    );
    const events = done.webhookDeliveries.edges.map((e) => e.node);
    expect(events.map((e) => e.eventType).sort()).toEqual([
      'approval.requested',
      'approval.step_approved',
      'campaign.state_changed',
      'campaign.state_changed',
    ]);
    const changes = events
      .filter((e) => e.eventType === 'campaign.state_changed')
      .map((e) => e.payload.data)
      .sort((a, b) => String(a.to).localeCompare(String(b.to)));
    expect(changes).toMatchObject([
      { campaignId: id, from: 'in_review', to: 'approved' },
      { campaignId: id, from: 'draft', to: 'in_review' },
    ]);
    for (const e of events) expect(e.log.at(-1)?.statusCode).toBe(200);

    // Every request, failed or not, carried a valid signature over its exact body, and the event id.
    expect(partner.requests.length).toBeGreaterThanOrEqual(12);
    for (const r of partner.requests) {
      const header = r.headers['qunfa-signature'] as string;
      expect(verifyWebhookSignature(secret, header, r.body)).toBe(true);
      expect(verifyWebhookSignature(secret, header, `${r.body} `)).toBe(false);
      expect(verifyWebhookSignature('whsec_other', header, r.body)).toBe(false);
      expect(r.headers['qunfa-event-id']).toBe((JSON.parse(r.body) as { id: string }).id);
      expect(r.headers['content-type']).toBe('application/json');
    }
    // A signature replayed ten minutes later is refused by the documented check.
    const body = partner.requests[0]!.body;
    const old = signWebhook(secret, body, new Date(Date.now() - 600_000));
    expect(verifyWebhookSignature(secret, old, body)).toBe(false);

    expect([...partner.processed.keys()].sort()).toEqual(events.map((e) => e.eventId).sort());

    // A manual redelivery sends the same event id again: the receiver still acts on it once.
    const again = events[0]!;
    const before = partner.requests.length;
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { redeliverWebhook(id: $id) { status } }', {
      id: again.id,
    });
    const redelivered = await until(
      () => gqlOk<Deliveries>(t.url, t.a.keys.admin, DELIVERIES),
      (d) =>
        d.webhookDeliveries.edges.find((e) => e.node.id === again.id)?.node.status === 'delivered' &&
        partner.requests.length > before,
      'the redelivery',
    );
    const log = redelivered.webhookDeliveries.edges.find((e) => e.node.id === again.id)!.node.log;
    expect(log.filter((a) => a.statusCode === 200)).toHaveLength(2);
    expect(partner.requests.at(-1)!.headers['qunfa-event-id']).toBe(again.eventId);
    expect(partner.processed.size).toBe(4);
    expect(
      codesOf(
        await gql(t.url, t.b.keys.admin, 'mutation($id: ID!) { redeliverWebhook(id: $id) { status } }', {
          id: again.id,
        }),
      ),
    ).toEqual(['NOT_FOUND']);
  });
  it('tells of replies and the triage items they open, once per reply', async () => {
    partner.state.mode = 'up';
    await gqlOk(t.url, t.a.keys.admin, CREATE_ENDPOINT, {
      input: { url, eventTypes: ['inbound.message_received', 'triage.item_created'] },
    });
    const RECORD = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { recorded } }`;
    const input = {
      fromKind: 'PHONE',
      fromValue: '+8613800000009',
      text: '想了解一下价格',
      providerMessageId: 'wh-1',
    };
    await gqlOk(t.url, t.a.keys.operator, RECORD, { i: input });
    await gqlOk(t.url, t.a.keys.operator, RECORD, { i: input });
    const received = () =>
      [...partner.processed.values()].filter(
        (e) => e.type === 'inbound.message_received' || e.type === 'triage.item_created',
      );
    await until(
      async () => received().length,
      (n) => n >= 2,
      'the reply events',
    );
    await new Promise((r) => setTimeout(r, 300));
    const [message, item] = [
      received().filter((e) => e.type === 'inbound.message_received'),
      received().filter((e) => e.type === 'triage.item_created'),
    ];
    expect(message).toHaveLength(1);
    expect(message[0]!.data).toMatchObject({ text: '想了解一下价格', channel: 'api', unsubscribed: false });
    expect(item).toHaveLength(1);
    expect(item[0]!.data).toMatchObject({ messageId: message[0]!.data.messageId });
  });
});

describe.each(transports)('the webhook outbox survives a restart: $name', (transport) => {
  it('delivers after the API comes back, what it could not deliver before it stopped', async () => {
    const database = await createTestDatabase('postgres');
    const config: AppConfig = {
      ...transportConfig(transport, 'webhook-restart'),
      databaseUrl: database.url,
      dataDir: database.dataDir,
      port: 0,
      host: '127.0.0.1',
      worker: 'inline',
      workerConcurrency: 2,
      seedDemo: false,
      logLevel: 'silent',
      tickIntervalMs: 50,
      webhooks: retry,
    };
    // A port with nobody listening yet: the partner is down (connection refused).
    const probe = receiver();
    const url = await probe.listen();
    await probe.close();
    const port = Number(new URL(url).port);
    const first = await buildApp(config, { plugins: testPlugins(), logger: silentLogger });
    const base = await first.start();
    const ws = await addWorkspace(first, 'W');
    await gqlOk(base, ws.keys.admin, CREATE_ENDPOINT, { input: { url, eventTypes: ['approval.requested'] } });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      base,
      ws.keys.operator,
      CAMPAIGN,
    );
    await gqlOk(base, ws.keys.operator, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', {
      id: createCampaign.id,
    });
    const refused = await until(
      () => gqlOk<Deliveries>(base, ws.keys.admin, DELIVERIES),
      (d) =>
        (d.webhookDeliveries.edges[0]?.node.attempts ?? 0) >= 1 &&
        d.webhookDeliveries.edges[0]!.node.log.length >= 1,
      'a refused attempt',
    );
    expect(refused.webhookDeliveries.edges[0]!.node.log[0]).toMatchObject({ statusCode: null });
    await first.stop();
    if (config.redisPrefix) {
      // The next attempt waits in BullMQ, in Redis, while no process runs.
      const redis = new Redis(testRedisUrl);
      try {
        const jobs = [
          ...(await redis.zrange(`${config.redisPrefix}:webhooks:delayed`, 0, -1)),
          ...(await redis.lrange(`${config.redisPrefix}:webhooks:wait`, 0, -1)),
        ];
        const id = refused.webhookDeliveries.edges[0]!.node.id;
        expect(
          jobs.some((job) => new RegExp(`^webhook-${id}-\\d+$`).test(job)),
          jobs.join(),
        ).toBe(true);
      } finally {
        redis.disconnect();
      }
    }

    const partner = receiver();
    await partner.listen(port);
    const second = await buildApp(config, { plugins: testPlugins(), logger: silentLogger });
    try {
      const base2 = await second.start();
      const done = await until(
        () => gqlOk<Deliveries>(base2, ws.keys.admin, DELIVERIES),
        (d) => d.webhookDeliveries.edges[0]?.node.status === 'delivered',
        'delivery after the restart',
      );
      const node = done.webhookDeliveries.edges[0]!.node;
      expect(node.payload).toMatchObject({
        type: 'approval.requested',
        data: { campaignId: createCampaign.id },
      });
      expect([...partner.processed.keys()]).toEqual([node.eventId]);
    } finally {
      await second.stop();
      await partner.close();
      await database.drop();
      if (config.redisPrefix) await dropRedisPrefix(config.redisPrefix);
    }
  });
});

const ENDPOINTS = `{ webhookEndpoints { id url enabled disabledReason disabledAt consecutiveFailures } }`;
interface Endpoints {
  webhookEndpoints: {
    id: string;
    url: string;
    enabled: boolean;
    disabledReason: string | null;
    disabledAt: string | null;
    consecutiveFailures: number;
  }[];
}

describe('guarded endpoints: private addresses refused, a failing endpoint disabled, progress milestones', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite', { webhooks: { ...retry, disableAfterFailures: 3 } }, [
      sandbox({ latencyMs: { min: 1, max: 3 }, maxRecipientsPerSend: 100 }),
      ...builtinMetrics(),
    ]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses URLs on private, loopback, link-local and metadata addresses with WEBHOOK_URL_FORBIDDEN, writing nothing', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://10.0.0.7/hooks',
      'http://[::1]:8080/hooks',
      'http://[::ffff:192.168.1.1]/hooks',
    ]) {
      const answer = await gql(t.url, t.a.keys.admin, CREATE_ENDPOINT, {
        input: { url, eventTypes: ['campaign.state_changed'] },
      });
      expect(codesOf(answer), url).toEqual(['WEBHOOK_URL_FORBIDDEN']);
    }
    expect((await gqlOk<Endpoints>(t.url, t.a.keys.admin, ENDPOINTS)).webhookEndpoints).toEqual([]);
    const { createWebhookEndpoint } = await gqlOk<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      t.url,
      t.a.keys.admin,
      CREATE_ENDPOINT,
      { input: { url: 'http://127.0.0.1:9/allowed-by-config', eventTypes: ['approval.rejected'] } },
    );
    const moved = await gql(
      t.url,
      t.a.keys.admin,
      'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { url: "http://192.168.0.10/x" }) { url } }',
      { id: createWebhookEndpoint.endpoint.id },
    );
    expect(codesOf(moved)).toEqual(['WEBHOOK_URL_FORBIDDEN']);
    await gqlOk(t.url, t.a.keys.admin, 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', {
      id: createWebhookEndpoint.endpoint.id,
    });
  });

  it('disables an endpoint after failures in a row, shows why, and sends what waited once enabled again', async () => {
    const probe = receiver();
    const url = await probe.listen();
    await probe.close(); // nobody listens there: every attempt is refused
    const { createWebhookEndpoint } = await gqlOk<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      t.url,
      t.b.keys.admin,
      CREATE_ENDPOINT,
      { input: { url, eventTypes: ['campaign.state_changed'] } },
    );
    const endpointId = createWebhookEndpoint.endpoint.id;
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      t.b.keys.operator,
      CAMPAIGN,
    );
    await gqlOk(t.url, t.b.keys.operator, 'mutation($id: ID!) { submitCampaignForReview(id: $id) { id } }', {
      id: createCampaign.id,
    });
    const disabled = await until(
      () => gqlOk<Endpoints>(t.url, t.b.keys.admin, ENDPOINTS),
      (e) => e.webhookEndpoints[0]?.enabled === false,
      'the endpoint disabled',
    );
    expect(disabled.webhookEndpoints[0]).toMatchObject({
      enabled: false,
      disabledReason: 'CONSECUTIVE_FAILURES',
      consecutiveFailures: 3,
      disabledAt: expect.any(String),
    });
    // No attempt after the third; an event meanwhile is not recorded for it.
    await gqlOk(t.url, t.b.keys.approver, 'mutation($id: ID!) { approveCampaign(id: $id) { id } }', {
      id: createCampaign.id,
    });
    await new Promise((r) => setTimeout(r, 800));
    const waiting = await gqlOk<Deliveries>(t.url, t.b.keys.admin, DELIVERIES);
    expect(waiting.webhookDeliveries.edges).toHaveLength(1);
    expect(waiting.webhookDeliveries.edges[0]!.node).toMatchObject({ status: 'pending', attempts: 3 });
    const audit = await rows(
      t.app.deps.db,
      sql`SELECT details FROM audit_log WHERE action = 'webhook_endpoint.disabled' AND subject_id = ${endpointId}`,
    );
    expect(audit).toHaveLength(1);

    const partner = receiver();
    await partner.listen(Number(new URL(url).port));
    try {
      const enabled = await gqlOk<{ updateWebhookEndpoint: Endpoints['webhookEndpoints'][number] }>(
        t.url,
        t.b.keys.admin,
        `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) {
          id url enabled disabledReason disabledAt consecutiveFailures } }`,
        { id: endpointId },
      );
      expect(enabled.updateWebhookEndpoint).toMatchObject({
        enabled: true,
        disabledReason: null,
        disabledAt: null,
        consecutiveFailures: 0,
      });
      await until(
        () => gqlOk<Deliveries>(t.url, t.b.keys.admin, DELIVERIES),
        (d) => d.webhookDeliveries.edges[0]?.node.status === 'delivered',
        'the waiting delivery sent',
      );
      expect([...partner.processed.values()].map((e) => e.data.to)).toEqual(['in_review']);
    } finally {
      await partner.close();
    }
  });

  it('tells each progress milestone of a campaign once, however its batches settle', async () => {
    const partner = receiver();
    const url = await partner.listen();
    try {
      await gqlOk(t.url, t.a.keys.admin, CREATE_ENDPOINT, {
        input: { url, eventTypes: ['campaign.progress_milestone'] },
      });
      const input = Array.from({ length: 8 }, (_, i) => ({
        identities: [{ kind: 'PHONE', value: `+86137000000${String(i).padStart(2, '0')}` }],
      }));
      await gqlOk(
        t.url,
        t.a.keys.operator,
        'mutation($input: [CreateContactInput!]!) { createContacts(input: $input) { id } }',
        { input },
      );
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        t.a.keys.operator,
        `mutation { createCampaign(input: { name: "里程碑", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }],
          channelPlan: [{ channel: "channel:sandbox", batchSize: 2 }] }) { id } }`,
      );
      await gqlOk(t.url, t.a.keys.operator, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
        id: createCampaign.id,
      });
      await until(
        async () => partner.processed.size,
        (n) => n >= 4,
        'four milestones',
      );
      await new Promise((r) => setTimeout(r, 500));
      const milestones = [...partner.processed.values()].map((e) => e.data);
      expect(milestones.map((m) => m.milestone).sort((a, b) => Number(a) - Number(b))).toEqual([
        25, 50, 75, 100,
      ]);
      for (const m of milestones) {
        expect(m).toMatchObject({ campaignId: createCampaign.id, total: 8 });
        expect(Number(m.settled) * 100).toBeGreaterThanOrEqual(Number(m.milestone) * 8);
      }
      // Once each, however often the watcher looked.
      expect(partner.requests).toHaveLength(4);
    } finally {
      await partner.close();
    }
  });
});
