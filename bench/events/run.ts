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
 * server (send-campaign.ts: planning, sending, provider ids, counters all the product's own). The
 * load generator is a child process (client.mjs); per leg (leg-runner.ts) we print events/s,
 * p50/p99, and the CPU time per event of the API process and of its PostgreSQL backends (/proc),
 * with the load average. At the end (counter-checks.ts) the campaign's counters are checked
 * against a recomputation from the deliveries and against what was sent; inbound messages and
 * triage items against the replies sent.
 */
// First: it counts the statements of every drizzle session the app opens.
import './statement-counter.js';
import { loadavg } from 'node:os';
import { startBenchApi } from './bench-api.js';
import { checkCounters } from './counter-checks.js';
import { clicks, createReplies, receiptPushes, repliers } from './intake-requests.js';
import { createLegRunner, LEG_TABLE_HEADER } from './leg-runner.js';
import { sendCampaign } from './send-campaign.js';

const contacts = Number(process.env.BENCH_CONTACTS ?? 2_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
/** Receipts per Aliyun report push (Aliyun batches them; 1 = one request per receipt). */
const receiptBatch = Number(process.env.BENCH_RECEIPT_BATCH ?? 20);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LEGS = ['receipts', 'clicks', 'replies', 'mixed', 'replays'];
/** The legs to run, comma-separated (all by default); the warm-up always runs. */
const selected = new Set((process.env.BENCH_LEGS ?? LEGS.join(',')).split(',').map((l) => l.trim()));
for (const leg of selected) if (!LEGS.includes(leg)) throw new Error(`BENCH_LEGS: no leg ${leg} (${LEGS})`);

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const api = await startBenchApi({ adminUrl, redisUrl });
const { app } = api;
try {
  const base = await app.start();
  const { key, campaignId, records, deliveryOf } = await sendCampaign(api, base, contacts, say);

  // Deliveries split in halves: the single-kind legs use the first, the mixed leg the second.
  const half = Math.floor(records.length / 2);
  const legsOf = [records.slice(0, half), records.slice(half)];
  const { replies, restartSequence } = createReplies(key);
  const clicksOf = (recs: typeof records) => clicks(recs, deliveryOf, app.deps.linkTokens!);

  const legs = await createLegRunner({ base, concurrency, backends: api.backends, say });
  const idle = await legs.measureIdle();
  say(`idle: ${idle.cpuMsPerS.toFixed(1)} CPU ms/s, ${idle.statementsPerS.toFixed(1)} statements/s`);

  say('warm-up');
  const [single, mixed] = legsOf as [typeof records, typeof records];
  const warmUp = single.slice(-100);
  await legs.run('warm-up (replies, GraphQL)', replies(warmUp, 'graphql', 'warm-up'));
  const firstHalf = single.slice(0, Math.floor(single.length / 2));
  const secondHalf = single.slice(Math.floor(single.length / 2));
  /** What was sent once (the replays send it again), for the checks. */
  const halves = legsOf.map((recs) => ({ recs, receipts: false, clicks: false }));
  const replied: { recs: typeof records; via: 'up' | 'graphql' }[] = [];

  if (selected.has('receipts')) {
    await legs.run('receipts (SmsReport push)', receiptPushes(single, receiptBatch));
    halves[0]!.receipts = true;
  }
  if (selected.has('clicks')) {
    await legs.run('clicks (/l/)', clicksOf(single));
    halves[0]!.clicks = true;
  }
  if (selected.has('replies')) {
    await legs.run('replies (SmsUp push)', replies(firstHalf, 'up'));
    await legs.run('replies (GraphQL)', replies(secondHalf, 'graphql'));
    replied.push({ recs: firstHalf, via: 'up' }, { recs: secondHalf, via: 'graphql' });
  }
  if (selected.has('mixed')) {
    const parts = [receiptPushes(mixed, receiptBatch), clicksOf(mixed), replies(mixed, 'up')];
    // Each kind spread evenly over the leg (the k-th of n at (k + ½) / n), so that any stretch of it —
    // the warm share (BENCH_WARM) and the measured rest — holds the same mix. Taken in turn instead,
    // the 600 pushes and 1,800 clicks ran out in the first third, and a warm leg measured replies only.
    const mix = parts
      .flatMap((p) => p.map((req, k) => ({ req, at: (k + 0.5) / p.length })))
      .sort((a, b) => a.at - b.at)
      .map((m) => m.req);
    await legs.run('mixed (receipts, clicks, SmsUp replies)', mix);
    halves[1]!.receipts = true;
    halves[1]!.clicks = true;
    replied.push({ recs: mixed, via: 'up' });
  }
  if (selected.has('replays')) {
    // SmsUp replays carry the same sequence ids as the first time.
    restartSequence();
    const again = [
      ...halves.flatMap((half) => (half.receipts ? receiptPushes(half.recs, receiptBatch) : [])),
      ...replied.flatMap(({ recs, via }) => replies(recs, via)),
    ];
    await legs.run('replays (every receipt push and reply again)', again);
  }

  const checks = await checkCounters(app.deps.db, {
    campaignId,
    halves,
    repliesSent: [warmUp, ...replied.map((r) => r.recs)].reduce((n, recs) => n + repliers(recs).length, 0),
  });

  console.log(
    `\nbench/events — ${contacts} SMS deliveries (channel:sms-aliyun, fake Aliyun), receipts ${receiptBatch} per push; HTTP on loopback, PostgreSQL + Redis, default plugins`,
  );
  console.log(
    `concurrency ${concurrency}, ${new Date().toISOString()}, CPU ms per event: API process (client excluded) + PostgreSQL backends`,
  );
  console.log(
    `with no request, the API process and its backends spend ${idle.cpuMsPerS.toFixed(1)} CPU ms/s (${idle.statementsPerS.toFixed(1)} SQL statements/s: worker ticks, heartbeats), load ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const line of LEG_TABLE_HEADER) console.log(line);
  for (const line of legs.rows) console.log(line);
  for (const line of checks.lines) console.log(line);
  if (!checks.exact) process.exitCode = 1;
} finally {
  await api.close();
}
