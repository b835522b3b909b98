/*
 * Sustained intake over HTTP on loopback, PostgreSQL + Redis, the API as a user runs it (default
 * plugins: metrics, compliance rules, classifier:rules; channel:sms-aliyun loaded from ALIYUN_SMS_*):
 *
 * - receipts: Aliyun SmsReport pushes (`POST /callbacks/sms-aliyun/report?token=…`, a JSON array)
 * - clicks: `GET /l/<token>` with the tracked links the fake Aliyun received in the SMS params
 * - replies: Aliyun SmsUp pushes (`POST /callbacks/sms-aliyun/up?token=…`) and GraphQL
 *   `recordInboundMessage`, each classified, attributed and triaged
 * - mixed: the three interleaved, then every receipt push and reply again (replays: written once)
 *
 * The deliveries are made by a real campaign over channel:sms-aliyun against the fake Aliyun
 * server (planning, sending, provider ids, counters all the product's own). The load generator
 * is a child process (client.mjs); per leg we print events/s, p50/p99, and the CPU time per
 * event of the API process and of its PostgreSQL backends (/proc), with the load average.
 * At the end the campaign's counters are checked against a recomputation from the deliveries
 * and against what was sent; inbound messages and triage items against the replies sent.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeRedis, connectRedis } from '@qunfa/api/src/adapters/redis-connection.js';
import { buildApp } from '@qunfa/api/src/app.js';
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import { rows } from '@qunfa/api/src/db/database.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { NoopLogger } from 'drizzle-orm/logger';
import postgres from 'postgres';

const contacts = Number(process.env.BENCH_CONTACTS ?? 2_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** Receipts per Aliyun report push (Aliyun batches them; 1 = one request per receipt). */
const receiptBatch = Number(process.env.BENCH_RECEIPT_BATCH ?? 20);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'bench-callback-token-0123456789';
const here = dirname(fileURLToPath(import.meta.url));

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;
const national = (e164: string) => e164.slice(3);

/** Most replies are noise or short answers, few complaints. */
const texts: [string, number][] = [
  ['请问会员怎么办理？', 20],
  ['好的收到', 20],
  ['😀😀', 15],
  ['很感兴趣，想了解一下', 10],
  ['不需要，谢谢', 15],
  ['你们一直发短信骚扰我，我要投诉', 5],
  ['TD', 5],
  ['这个活动几号结束', 10],
];
const pick = (i: number) => {
  let n = i % 100;
  for (const [text, weight] of texts) {
    if (n < weight) return text;
    n -= weight;
  }
  return texts[0]![0];
};
const chinaTime = (d: Date) =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

interface Req {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: number;
  mustNotContain?: string;
  /** Events this request carries. */
  events: number;
}

/** CPU seconds (user + system) of the given processes, from /proc/<pid>/stat. */
const ticks = Number(process.env.BENCH_CLK_TCK ?? 100);
function cpuOf(pids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / ticks);
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * SQL statements the API sends (drizzle's queries; BEGIN and COMMIT not counted): every drizzle
 * session of the app logs each query to a NoopLogger, counted here.
 */
let statements = 0;
/** BENCH_STATEMENTS=1: each leg also lists its most frequent statements (first 90 characters). */
const statementTexts = process.env.BENCH_STATEMENTS ? new Map<string, number>() : undefined;
const logQuery = NoopLogger.prototype.logQuery;
NoopLogger.prototype.logQuery = function (this: NoopLogger, ...args: unknown[]) {
  statements++;
  if (statementTexts) {
    const text = String(args[0]).replace(/\s+/g, ' ').slice(0, 90);
    statementTexts.set(text, (statementTexts.get(text) ?? 0) + 1);
  }
  logQuery.call(this);
};

const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
// A key prefix of its own: batch job ids restart at 1 in every database, and a job id already
// queued under a shared prefix (another run's, even a dead one's) would silently swallow ours.
const redisPrefix = name;
const dataDir = mkdtempSync(join(tmpdir(), 'qunfa-bench-events-'));
const aliyun = await startFakeAliyun({
  signNames: ['群发科技'],
  templates: { SMS_1: ['code', 'url'] },
  callbackToken: TOKEN,
  perNumberDailyLimit: 1_000,
});
Object.assign(process.env, {
  ALIYUN_SMS_ACCESS_KEY_ID: 'LTAIfakeAccessKeyId',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'fakeAccessKeySecret',
  ALIYUN_SMS_SIGN_NAME: '群发科技',
  ALIYUN_SMS_ENDPOINT: aliyun.endpoint,
  ALIYUN_SMS_PROTOCOL: 'http',
  ALIYUN_SMS_CALLBACK_TOKEN: TOKEN,
});
const app = await buildApp(
  {
    databaseUrl: url.toString(),
    redisUrl,
    redisPrefix,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    publicUrl: 'https://qunfa.example',
    worker: 'inline',
    workerConcurrency: 4,
    seedDemo: false,
    logLevel: 'silent',
    tickIntervalMs: 250,
    // Receipts come by push only, so that each is counted where the bench sent it.
    receiptPollIntervalMs: 3_600_000,
    keyRateLimitPerMinute: 10_000_000,
  },
  { logger: silentLogger },
);
const results: string[] = [];
try {
  const base = await app.start();
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

  // Deliveries split in halves: the single-kind legs use the first, the mixed leg the second.
  const half = Math.floor(records.length / 2);
  const legsOf = [records.slice(0, half), records.slice(half)];
  const failedReceipt = (i: number) => i % 10 === 9;
  const receiptPushes = (recs: typeof records): Req[] => {
    const out: Req[] = [];
    for (let i = 0; i < recs.length; i += receiptBatch) {
      const items = recs.slice(i, i + receiptBatch).map((r, j) => ({
        phone_number: r.phone,
        send_time: chinaTime(r.at),
        report_time: chinaTime(new Date(r.at.getTime() + 3000)),
        success: !failedReceipt(i + j),
        err_code: failedReceipt(i + j) ? 'MOBILE_NOT_ON_SERVICE' : 'DELIVERED',
        err_msg: failedReceipt(i + j) ? '停机' : '用户接收成功',
        sms_size: '1',
        biz_id: r.bizId,
        out_id: r.outId,
      }));
      out.push({
        method: 'POST',
        path: `/callbacks/sms-aliyun/report?token=${TOKEN}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(items),
        expect: 200,
        events: items.length,
      });
    }
    return out;
  };
  // Template SMS carry their variables as given (Aliyun templates hold the link), so the tracked
  // link a contact clicks is minted here with the API's own key, for that contact's delivery.
  const deliveryOf = new Map(
    (
      await rows<{ id: string | number; value: string }>(
        app.deps.db,
        sql`SELECT d.id, ci.value FROM deliveries d JOIN contact_identities ci ON ci.contact_id = d.contact_id
            WHERE d.campaign_id = ${Number(campaignId)}::bigint AND ci.kind = 'phone'`,
      )
    ).map((r) => [r.value, String(r.id)]),
  );
  /** Every third delivery is clicked, of those delivered (a failed one's state then does not depend on the order). */
  const clicked = (recs: typeof records) => recs.filter((_, i) => i % 3 === 0 && !failedReceipt(i));
  const clicks = (recs: typeof records): Req[] =>
    clicked(recs).map((r) => {
      const deliveryId = deliveryOf.get(`+86${r.phone}`);
      if (!deliveryId) throw new Error(`no delivery to ${r.phone}`);
      return {
        method: 'GET',
        path: `/l/${app.deps.linkTokens!.sign({ deliveryId, link: 0 })}`,
        headers: { 'user-agent': 'Mozilla/5.0 (iPhone)' },
        expect: 302,
        events: 1,
      };
    });
  /** Every second contact replies once, by SmsUp push (odd) or over GraphQL (even). */
  let sequence = 0;
  const repliers = (recs: typeof records) => recs.filter((_, i) => i % 2 === 0);
  const replyReq = (r: (typeof records)[number], i: number, via: 'up' | 'graphql', prefix = 'bench'): Req => {
    const text = pick(i);
    if (via === 'up') {
      return {
        method: 'POST',
        path: `/callbacks/sms-aliyun/up?token=${TOKEN}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            phone_number: national(`+86${r.phone}`),
            send_time: chinaTime(new Date()),
            content: text,
            sign_name: '群发科技',
            dest_code: '1234',
            sequence_id: ++sequence,
          },
        ]),
        expect: 200,
        events: 1,
      };
    }
    return {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: 'mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { duplicate } }',
        variables: {
          i: {
            fromKind: 'PHONE',
            fromValue: `+86${r.phone}`,
            text,
            providerMessageId: `${prefix}-${r.phone}`,
          },
        },
      }),
      expect: 200,
      mustNotContain: '"errors"',
      events: 1,
    };
  };
  const replies = (recs: typeof records, via: 'up' | 'graphql', prefix?: string): Req[] =>
    repliers(recs).map((r, i) => replyReq(r, i, via, prefix));

  const backends = async () =>
    (
      await admin.unsafe<{ pid: number }[]>(
        `SELECT pid FROM pg_stat_activity WHERE datname = '${name}' AND backend_type = 'client backend'`,
      )
    ).map((r) => r.pid);

  /** BENCH_PROFILE=<dir>: a V8 CPU profile of the API process per leg, <dir>/<n>-<leg>.cpuprofile. */
  const profileDir = process.env.BENCH_PROFILE;
  const inspector = profileDir ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
  }
  let legNumber = 0;
  const run = async (label: string, requests: Req[]) => {
    const events = requests.reduce((n, r) => n + r.events, 0);
    // The client is spawned and given its requests before the measurement starts, and told to
    // go once it has parsed them: spawning it and serialising the requests are the bench's work,
    // not the API's, and were counted as the API's before.
    const child = spawn(process.execPath, [join(here, 'client.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    let ready: () => void = () => {};
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      if (Buffer.concat(out).includes('\n')) ready();
    });
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    child.stdin.write(`${JSON.stringify({ base, concurrency, requests })}\n`);
    await Promise.race([isReady, done]);
    if (inspector) await inspector.post('Profiler.start');
    const pids0 = await backends();
    const statements0 = statements;
    const pg0 = cpuOf(pids0);
    const api0 = process.cpuUsage();
    const load0 = loadavg()[0]!;
    child.stdin.end('go\n');
    if ((await done) !== 0) throw new Error(`${label}: the client failed`);
    const api = process.cpuUsage(api0);
    const statementsSent = statements - statements0;
    if (statementTexts) {
      for (const [text, n] of [...statementTexts].sort((a, b) => b[1] - a[1]).slice(0, 12))
        say(`  ${label}: ${n} × ${text}`);
      statementTexts.clear();
    }
    if (inspector && profileDir) {
      const { profile } = await inspector.post('Profiler.stop');
      const file = `${String(legNumber++).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.cpuprofile`;
      writeFileSync(join(profileDir, file), JSON.stringify(profile));
    }
    const pids1 = await backends();
    const pg1 = cpuOf([...new Set([...pids0, ...pids1])]);
    let pgSeconds = 0;
    for (const [pid, s] of pg1) pgSeconds += s - (pg0.get(pid) ?? 0);
    const load = Math.max(load0, loadavg()[0]!);
    const sent = statementsSent;
    const text = Buffer.concat(out).toString('utf8');
    const r = JSON.parse(text.slice(text.indexOf('\n') + 1)) as {
      latencies: number[];
      failures: string[];
      wallMs: number;
    };
    if (r.failures.length > 0)
      throw new Error(`${label}: ${r.failures.length} failed, e.g. ${r.failures.slice(0, 3).join(' | ')}`);
    const sorted = [...r.latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    const apiMs = (api.user + api.system) / 1000;
    const perEvent = (apiMs + pgSeconds * 1000) / events;
    // The idle spend (per second, whatever the load) taken out: what one more event costs.
    const marginal = Math.max(0.001, perEvent - (idle.cpuMsPerS * r.wallMs) / 1000 / events);
    const line = `| ${label} | ${events} | ${requests.length} | ${((events * 1000) / r.wallMs).toFixed(0)} | ${pct(50).toFixed(1)} | ${pct(99).toFixed(1)} | ${(apiMs / events).toFixed(2)} | ${((pgSeconds * 1000) / events).toFixed(2)} | ${perEvent.toFixed(2)} | ${(2000 / perEvent).toFixed(0)} | ${marginal.toFixed(2)} | ${(2000 / marginal).toFixed(0)} | ${(sent / events).toFixed(2)} | ${load.toFixed(1)} |`;
    results.push(line);
    say(line);
  };

  // What the API and its backends spend with no request at all (the worker's ticks, heartbeats,
  // progress): a cost per second, not per event, inside every leg's figures.
  const idle = await (async () => {
    const pids = await backends();
    const pg0 = cpuOf(pids);
    const api0 = process.cpuUsage();
    const s0 = statements;
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const seconds = (performance.now() - t0) / 1000;
    const api = process.cpuUsage(api0);
    let pg = 0;
    for (const [pid, v] of cpuOf(pids)) pg += v - (pg0.get(pid) ?? 0);
    return {
      cpuMsPerS: ((api.user + api.system) / 1000 + pg * 1000) / seconds,
      statementsPerS: (statements - s0) / seconds,
    };
  })();
  say(`idle: ${idle.cpuMsPerS.toFixed(1)} CPU ms/s, ${idle.statementsPerS.toFixed(1)} statements/s`);

  say('warm-up');
  const [single, mixed] = legsOf as [typeof records, typeof records];
  await run('warm-up (replies, GraphQL)', replies(single.slice(-100), 'graphql', 'warm-up'));
  const firstHalf = single.slice(0, Math.floor(single.length / 2));
  const secondHalf = single.slice(Math.floor(single.length / 2));

  await run('receipts (SmsReport push)', receiptPushes(single));
  await run('clicks (/l/)', clicks(single));
  await run('replies (SmsUp push)', replies(firstHalf, 'up'));
  await run('replies (GraphQL)', replies(secondHalf, 'graphql'));

  const mix: Req[] = [];
  const parts = [receiptPushes(mixed), clicks(mixed), replies(mixed, 'up')];
  for (let i = 0; parts.some((p) => i < p.length); i++) for (const p of parts) if (p[i]) mix.push(p[i]!);
  await run('mixed (receipts, clicks, SmsUp replies)', mix);
  // SmsUp replays carry the same sequence ids as the first time.
  sequence = 0;
  const again = [
    ...receiptPushes(records),
    ...replies(firstHalf, 'up'),
    ...replies(secondHalf, 'graphql'),
    ...replies(mixed, 'up'),
  ];
  await run('replays (every receipt push and reply again)', again);

  // What must be true now, recomputed from the rows and from what was sent.
  const [counters] = await rows<Record<string, number>>(
    app.deps.db,
    sql`SELECT sum(total)::int AS total, sum(sent)::int AS sent, sum(delivered)::int AS delivered,
               sum(clicked)::int AS clicked, sum(failed)::int AS failed,
               sum(failed_invalid_recipient)::int AS "failedInvalidRecipient"
        FROM campaign_counters WHERE campaign_id = ${Number(campaignId)}::bigint`,
  );
  const [recomputed] = await rows<Record<string, number>>(
    app.deps.db,
    sql`SELECT count(*)::int AS total, count(*) FILTER (WHERE state = 'sent')::int AS sent,
               count(*) FILTER (WHERE state = 'delivered')::int AS delivered,
               count(*) FILTER (WHERE state = 'clicked')::int AS clicked,
               count(*) FILTER (WHERE state = 'failed')::int AS failed,
               count(*) FILTER (WHERE failure_class = 'invalid_recipient')::int AS "failedInvalidRecipient"
        FROM deliveries WHERE campaign_id = ${Number(campaignId)}::bigint`,
  );
  // From what the bench sent: a failure receipt fails the delivery (a click on it does not revive it).
  const expected = {
    total: records.length,
    sent: 0,
    delivered: 0,
    clicked: 0,
    failed: 0,
    failedInvalidRecipient: 0,
  };
  for (const recs of legsOf) {
    const clickedSet = new Set(clicked(recs).map((r) => r.phone));
    for (let i = 0; i < recs.length; i += receiptBatch) {
      for (let j = i; j < Math.min(i + receiptBatch, recs.length); j++) {
        if (failedReceipt(j)) {
          expected.failed++;
          expected.failedInvalidRecipient++;
        } else if (clickedSet.has(recs[j]!.phone)) expected.clicked++;
        else expected.delivered++;
      }
    }
  }
  const [inbound] = await rows<{ messages: number; items: number; bundles: number; webhooks: number }>(
    app.deps.db,
    sql`SELECT (SELECT count(*)::int FROM inbound_messages) AS messages,
               (SELECT count(*)::int FROM triage_items) AS items,
               (SELECT count(*)::int FROM evidence_bundles) AS bundles`,
  );
  const repliesSent =
    repliers(single.slice(-100)).length +
    repliers(firstHalf).length +
    repliers(secondHalf).length +
    repliers(mixed).length;
  const same = (a: object, b: object) => JSON.stringify(a) === JSON.stringify(b);
  const exact =
    same(counters!, recomputed!) &&
    same(counters!, expected) &&
    inbound!.messages === repliesSent &&
    inbound!.items === repliesSent;

  console.log(
    `\nbench/events — ${contacts} SMS deliveries (channel:sms-aliyun, fake Aliyun), receipts ${receiptBatch} per push; HTTP on loopback, PostgreSQL + Redis, default plugins`,
  );
  console.log(
    `concurrency ${concurrency}, ${new Date().toISOString()}, CPU ms per event: API process (client excluded) + PostgreSQL backends`,
  );
  console.log(
    `with no request, the API process and its backends spend ${idle.cpuMsPerS.toFixed(1)} CPU ms/s (${idle.statementsPerS.toFixed(1)} SQL statements/s: worker ticks, heartbeats), load ${loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    '| leg | events | requests | events/s | p50 ms | p99 ms | API CPU ms/event | PG CPU ms/event | CPU ms/event | implied events/s on 2 idle cores | CPU ms/event net of idle | implied events/s net of idle | SQL statements/event | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const line of results) console.log(line);
  console.log(`counters ${JSON.stringify(counters)}`);
  console.log(`recomputed from deliveries ${JSON.stringify(recomputed)}`);
  console.log(`expected from what was sent ${JSON.stringify(expected)}`);
  console.log(
    `inbound messages ${inbound!.messages}, triage items ${inbound!.items} of ${repliesSent} replies (replays included once), evidence bundles ${inbound!.bundles}: ${exact ? 'exact' : 'MISMATCH'}`,
  );
  if (!exact) process.exitCode = 1;
} finally {
  await app.stop();
  await aliyun.close();
  const redis = connectRedis(redisUrl, 'bench-cleanup');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await closeRedis(redis);
  rmSync(dataDir, { recursive: true, force: true });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
