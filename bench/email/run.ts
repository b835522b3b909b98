/**
 * E-mail sends per second through the engine to a local SMTP server (`smtp-server`, parsing every
 * message with `mailparser`, in this process), on PostgreSQL + Redis with one worker, with the
 * default compliance rules, the metrics and the Prometheus registry on. Not a test: prints figures.
 * `CONTACTS=…` (default 5,000), `POOL=…` SMTP connections (default 5), `WORKER_CONCURRENCY` (4),
 * `DATABASE_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/postgres), `REDIS_URL` (redis://127.0.0.1:6379).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { buildApp } from '@qunfa/api/src/app.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { complianceRules } from '@qunfa/api/src/plugins.js';
import { createCampaign } from '@qunfa/api/src/services/campaign-edits.js';
import { emailSmtp } from '@qunfa/channels';
import { startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { silentLogger } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';

const CONTACTS = Number(process.env.CONTACTS ?? 5_000);
const POOL = Number(process.env.POOL ?? 5);
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 4);
const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `qunfa_email_bench_${randomBytes(4).toString('hex')}`;

const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${dbName}`);
const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);

const smtp = await startFakeSmtp({ auth: { user: 'news', pass: 'secret' } });
const channel = emailSmtp({
  host: smtp.host,
  port: smtp.port,
  auth: { user: 'news', pass: 'secret' },
  from: '"群发科技" <news@qunfa.test>',
  poolSize: POOL,
  batchSize: 100,
});
const app = await buildApp(
  {
    databaseUrl,
    redisUrl,
    redisPrefix: `qunfa-email-bench-${randomBytes(3).toString('hex')}`,
    dataDir: 'memory://',
    port: 0,
    host: '127.0.0.1',
    worker: 'inline',
    workerConcurrency: CONCURRENCY,
    seedDemo: false,
    logLevel: 'silent',
    tickIntervalMs: 250,
    quietHours: 'off',
    metricsToken: 'bench-metrics-token-0123456789',
  } as Parameters<typeof buildApp>[0],
  {
    plugins: (services) => [
      channel,
      ...builtinMetrics(),
      // The default rules; the frequency cap and quiet hours would suppress or defer a re-run.
      ...complianceRules({ ...services, quietHours: 'off' }).filter((p) => p.name !== 'rule:frequency-cap'),
    ],
    logger: silentLogger,
    http: false,
  },
);
await app.start();

const [ws] = await app.deps.db.insert(workspaces).values({ name: 'email bench' }).returning();
const workspaceId = ws!.id;
await app.deps.db.execute(sql`
  INSERT INTO contacts (workspace_id, name) SELECT ${workspaceId}::bigint, '客户' || g FROM generate_series(1, ${CONTACTS}::int) g`);
await app.deps.db.execute(sql`
  INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
  SELECT workspace_id, id, 'email', 'member' || id || '@example.com' FROM contacts WHERE workspace_id = ${workspaceId}::bigint`);

async function run(label: string, text: string) {
  const principal = { workspaceId, role: 'admin' as const, keyId: 0, keyName: 'bench' };
  const campaign = await createCampaign(app.deps, principal, {
    name: `${label} ${new Date().toISOString()}`,
    audience: { all: true },
    variants: [{ key: 'A', content: { type: 'email', subject: '{{name}}，会员日到了', text } }],
    channelPlan: [{ channel: 'channel:email-smtp' }],
  });
  const id = String(campaign.id);
  const received = smtp.messages.length;
  const t0 = performance.now();
  await app.deps.engine.start({
    workspaceId: String(workspaceId),
    campaignId: id,
    actor: { kind: 'user', id: 'bench' },
  });
  const plan = (performance.now() - t0) / 1000;
  while ((await app.deps.store.getCampaign(id))?.state !== 'completed')
    await new Promise((resolve) => setTimeout(resolve, 100));
  const seconds = (performance.now() - t0) / 1000;
  const c = await app.deps.store.counters(id);
  console.log(
    `${label}: ${CONTACTS} recipients in ${seconds.toFixed(1)} s (plan and checks ${plan.toFixed(1)} s) → ${(CONTACTS / seconds).toFixed(0)} mails/s; sent ${c.sent}, failed ${c.failed}, uncertain ${c.uncertain}; the server parsed ${smtp.messages.length - received}`,
  );
}

console.log(
  `E-mail through the engine: PostgreSQL + Redis, one worker (concurrency ${CONCURRENCY}), SMTP pool ${POOL}, load ${loadavg()[0]!.toFixed(1)}`,
);
await run(
  'HTML with a tracked link and {{name}}',
  '<p>{{name}} 您好，<a href="https://shop.qunfa.test/day">会员日</a>，{{unsubscribe}}</p>',
);
await run('plain text, HTML part derived', '{{name}} 您好，会员日全场8折 https://shop.qunfa.test/day');

await app.stop();
channel.close();
await smtp.close();
await admin.unsafe(`DROP DATABASE ${dbName} WITH (FORCE)`);
await admin.end();
