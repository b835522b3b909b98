/*
 * Inbound replies over HTTP on loopback, through the whole intake with the default plugins on:
 * GraphQL recordInboundMessage → sender match and attribution → classifier:rules → triage item,
 * suppressions, complaint evidence bundle — on PostgreSQL + Redis. Prints events/s and latency
 * percentiles, then checks every accepted reply was stored and triaged exactly once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@qunfa/api/src/app.js';
import { createApiKey } from '@qunfa/api/src/auth/api-keys.js';
import { rows } from '@qunfa/api/src/db/database.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';

const events = Number(process.env.BENCH_EVENTS ?? 20_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const contacts = Number(process.env.BENCH_CONTACTS ?? 5_000);
const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
const phone = (i: number) => `+86138${String(i).padStart(8, '0')}`;

/** A realistic mix: most replies are noise or short answers, few complaints. */
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

const name = `qunfa_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const dataDir = mkdtempSync(join(tmpdir(), 'qunfa-bench-events-'));
const app = await buildApp(
  {
    databaseUrl: url.toString(),
    redisUrl,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    worker: 'inline',
    workerConcurrency: 4,
    seedDemo: false,
    logLevel: 'silent',
    tickIntervalMs: 250,
    keyRateLimitPerMinute: 10_000_000,
  },
  { logger: silentLogger },
);
try {
  const base = await app.start();
  const [ws] = await app.deps.db.insert(workspaces).values({ name: 'bench' }).returning();
  const { key } = await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'bench', role: 'operator' });
  say(`seeding ${contacts} contacts`);
  await app.deps.db.execute(sql`INSERT INTO contacts (workspace_id, name)
    SELECT ${ws!.id}::bigint, 'c' || g FROM generate_series(0, ${contacts - 1}) g`);
  await app.deps.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT workspace_id, id, 'phone', '+86138' || lpad((id - (SELECT min(id) FROM contacts))::text, 8, '0')
    FROM contacts WHERE workspace_id = ${ws!.id}::bigint`);

  const query = `mutation($i: InboundMessageInput!) { recordInboundMessage(input: $i) { duplicate } }`;
  const send = async (i: number) => {
    const body = JSON.stringify({
      query,
      variables: {
        i: {
          fromKind: 'PHONE',
          fromValue: phone(i % contacts),
          text: pick(i),
          providerMessageId: `bench-${i}`,
        },
      },
    });
    const t0 = performance.now();
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
    });
    const json = (await res.json()) as { errors?: unknown[] };
    if (!res.ok || json.errors) throw new Error(`event ${i}: ${res.status} ${JSON.stringify(json.errors)}`);
    return performance.now() - t0;
  };

  const run = async (count: number, offset: number) => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const i = offset + next++;
          latencies.push(await send(i));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    return { seconds, rate: count / seconds, p50: pct(50), p99: pct(99) };
  };

  say('warm-up: 500 events');
  await run(500, 10_000_000);
  say(`measuring: ${events} events, ${concurrency} in flight`);
  const m = await run(events, 0);
  // The same events again: replays are recognised, nothing new is written.
  const replays = Math.min(2_000, events);
  say(`replaying ${replays} of them`);
  const replay = await run(replays, 0);

  const [counts] = await rows<{ messages: number; items: number; bundles: number }>(
    app.deps.db,
    sql`SELECT (SELECT count(*)::int FROM inbound_messages WHERE provider_message_id LIKE 'bench-%' AND provider_message_id NOT LIKE 'bench-1000____') AS messages,
               (SELECT count(*)::int FROM triage_items) AS items,
               (SELECT count(*)::int FROM evidence_bundles) AS bundles`,
  );
  const total = events + 500;
  const complaints = Array.from({ length: events }, (_, i) => pick(i)).filter((t) =>
    t.includes('投诉'),
  ).length;
  const exact = counts!.items === total && counts!.messages === events;
  console.log(
    `\nbench/events — ${events} replies over GraphQL/HTTP on loopback, PostgreSQL + Redis, default plugins`,
  );
  console.log(`concurrency ${concurrency}, ${contacts} contacts, ${new Date().toISOString()}`);
  console.log('| leg | events/s | p50 ms | p99 ms | seconds |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| new replies | ${m.rate.toFixed(0)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${m.seconds.toFixed(1)} |`,
  );
  console.log(
    `| replays | ${replay.rate.toFixed(0)} | ${replay.p50.toFixed(1)} | ${replay.p99.toFixed(1)} | ${replay.seconds.toFixed(1)} |`,
  );
  console.log(
    `stored ${counts!.messages} of ${events}, triage items ${counts!.items} of ${total} (with warm-up), evidence bundles ${counts!.bundles} (complaints sent ${complaints} + warm-up): ${exact ? 'exact' : 'MISMATCH'}`,
  );
  if (!exact) process.exitCode = 1;
} finally {
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
