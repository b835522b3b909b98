import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { deliveryLog } from '../src/ops/delivery-log.js';
import { drivers } from './support/databases.js';
import { wsClient } from './support/graphql-client.js';
import { createAndStartCampaign, waitForCompletion } from './support/run-campaign.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const TOKEN = 'metrics-token-0123456789';

const scrape = (url: string, token?: string) =>
  fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

async function families(url: string) {
  const res = await scrape(url, TOKEN);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return new Map(parsePrometheusTextFormat(await res.text()).map((f) => [f.name, f]));
}

describe.each(drivers)('operations: /metrics on %s', (driver) => {
  let t: TestApp;
  let campaignId: string;

  beforeAll(async () => {
    t = await startTestApp(driver, { metricsToken: TOKEN });
    const tag = await seedTaggedContacts(t.url, t.a.keys.operator, {
      tagName: 'ops',
      count: 30,
      identity: (i) => ({ kind: 'PHONE', value: `+86135${String(i).padStart(8, '0')}` }),
    });
    campaignId = await createAndStartCampaign(t, {
      name: 'ops',
      audience: { tag },
      variants: [{ key: 'A', content: { text: 'hello' } }],
      channelPlan: [{ channel: 'channel:sandbox' }],
    });
    await waitForCompletion(t, campaignId);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a scrape without its own token, and API keys are not that token', async () => {
    expect((await scrape(t.url)).status).toBe(401);
    expect((await scrape(t.url, 'wrong-token-0123456789')).status).toBe(401);
    expect((await scrape(t.url, t.a.keys.admin)).status).toBe(401);
    expect(
      (await fetch(`${t.url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } }))
        .status,
    ).toBe(405);
  });

  it('serves outcomes that match the deliveries, batch latency, queue depth and event-loop lag, parsed as Prometheus text', async () => {
    const parsed = await families(t.url);
    const outcomes = parsed.get('qunfa_deliveries_total')!;
    expect(outcomes.type).toBe('COUNTER');
    const [settled] = await rows<{ sent: number; failed: number }>(
      t.app.deps.db,
      sql`SELECT count(*) FILTER (WHERE state IN ('sent', 'delivered', 'read', 'clicked'))::int AS sent,
                 count(*) FILTER (WHERE state = 'failed')::int AS failed
          FROM deliveries WHERE campaign_id = ${Number(campaignId)}`,
    );
    const sum = (state: string) =>
      outcomes.metrics
        .filter((m) => m.labels?.channel === 'channel:sandbox' && m.labels?.state === state)
        .reduce((n, m) => n + Number(m.value), 0);
    // Receipts may move sent deliveries on to delivered; the settle counted them as sent.
    expect(sum('sent')).toBe(settled!.sent);
    expect(sum('failed') + sum('queued')).toBeGreaterThanOrEqual(settled!.failed);
    const failureClasses = new Set(
      outcomes.metrics.filter((m) => m.labels?.state === 'failed').map((m) => m.labels?.failure_class),
    );
    expect([...failureClasses].every((c) => c !== '')).toBe(true);
    const latency = parsed.get('qunfa_batch_duration_seconds')!;
    expect(latency.type).toBe('HISTOGRAM');
    expect(Number(latency.metrics[0]!.buckets?.['+Inf'])).toBeGreaterThan(0);
    const queue = parsed.get('qunfa_queue_batches')!;
    expect(queue.metrics.map((m) => m.labels?.state).sort()).toEqual(['due', 'leased', 'waiting']);
    expect(parsed.get('qunfa_nodejs_eventloop_lag_seconds')?.type).toBe('GAUGE');
    expect(parsed.get('qunfa_triage_items')?.metrics).toHaveLength(2);
  });

  it('counts open subscriptions, and ends them when they stop', async () => {
    const gauge = async () =>
      Number((await families(t.url)).get('qunfa_graphql_subscriptions')!.metrics[0]!.value);
    const before = await gauge();
    const client = wsClient(t.url, t.a.keys.viewer);
    const stop = client.subscribe(
      { query: 'subscription { inboundMessageReceived { id } }' },
      {
        next: () => {},
        error: () => {},
        complete: () => {},
      },
    );
    await expect.poll(gauge, { timeout: 10_000 }).toBe(before + 1);
    stop();
    await expect.poll(gauge, { timeout: 10_000 }).toBe(before);
    client.dispose();
  });
});

describe('operations: /metrics without a token', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('pglite');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('does not exist, and is not the console', async () => {
    const res = await scrape(t.url, TOKEN);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('metrics are off: set METRICS_TOKEN');
  });
});

describe('operations: structured logs', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    return { lines, stream };
  };

  it('writes JSON with a level word and ISO time, and censors bodies and phone numbers', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', { service: 'test' }, stream);
    logger.debug('hidden');
    logger.info('reply recorded', {
      channel: 'channel:sms',
      text: '我要投诉',
      phone: '+8613800000000',
      nested: { address: 'x' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'reply recorded',
      service: 'test',
      channel: 'channel:sms',
      text: '[redacted]',
      phone: '[redacted]',
      nested: { address: '[redacted]' },
    });
    expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
  });

  it('logs delivery records with ids, classes and timings, failures at info, never a body', () => {
    const { lines, stream } = capture();
    const log = deliveryLog(createLogger('info', {}, stream));
    log.batchSettled({
      workspaceId: '1',
      campaignId: '7',
      batchId: '70',
      channel: 'channel:sms',
      account: 'sign-a',
      attempt: 2,
      claimedAt: new Date('2026-01-01T00:00:00Z'),
      durationMs: 120,
      results: [
        {
          deliveryId: '700',
          state: 'sent',
          attempt: {
            channel: 'channel:sms',
            account: 'sign-a',
            status: 'sent',
            providerMessageId: 'p-1',
            failureClass: null,
            error: null,
          },
        },
        {
          deliveryId: '701',
          state: 'failed',
          failureClass: 'invalid_recipient',
          attempt: {
            channel: 'channel:sms',
            account: 'sign-a',
            status: 'failed',
            providerMessageId: null,
            failureClass: 'invalid_recipient',
            error: 'isv.MOBILE_NUMBER_ILLEGAL',
          },
        },
      ],
    });
    expect(lines.map((l) => l.message)).toEqual(['batch settled', 'delivery']);
    expect(lines[0]).toMatchObject({
      campaignId: '7',
      batchId: '70',
      states: { sent: 1, failed: 1 },
      durationMs: 120,
    });
    expect(lines[1]).toMatchObject({
      campaignId: '7',
      batchId: '70',
      deliveryId: '701',
      channel: 'channel:sms',
      account: 'sign-a',
      state: 'failed',
      failureClass: 'invalid_recipient',
      attempt: 2,
      durationMs: 120,
    });
    expect(JSON.stringify(lines)).not.toMatch(/\+86|hello/);
  });
});
