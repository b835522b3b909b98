/**
 * E-mail sends per second through the engine to a local SMTP server (`smtp-server`, parsing every
 * message with `mailparser`, in this process), on PostgreSQL + Redis with one worker, with the
 * default compliance rules, the metrics and the Prometheus registry on. Not a test: prints figures.
 * `CONTACTS=…` (default 5,000), `POOL=…` SMTP connections (default 5), `WORKER_CONCURRENCY` (4),
 * `DATABASE_ADMIN_URL` (postgres://postgres@127.0.0.1:5432/postgres), `REDIS_URL` (redis://127.0.0.1:6379).
 */
import { loadavg } from 'node:os';
import { complianceRules } from '@qunfa/api/src/plugins.js';
import { emailSmtp } from '@qunfa/channels';
import { startFakeSmtp } from '@qunfa/channels/email-smtp/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { createBenchDatabase, runCampaign, seedWorkspace, startBenchApp } from '../sms/engine-bench.js';

const CONTACTS = Number(process.env.CONTACTS ?? 5_000);
const POOL = Number(process.env.POOL ?? 5);
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 4);

const database = await createBenchDatabase('qunfa_email_bench');
const smtp = await startFakeSmtp({ auth: { user: 'news', pass: 'secret' } });
const channel = emailSmtp({
  host: smtp.host,
  port: smtp.port,
  auth: { user: 'news', pass: 'secret' },
  from: '"群发科技" <news@qunfa.test>',
  poolSize: POOL,
  batchSize: 100,
});
const app = await startBenchApp({
  databaseUrl: database.url,
  redisPrefix: 'qunfa-email-bench',
  concurrency: CONCURRENCY,
  metricsToken: 'bench-metrics-token-0123456789',
  plugins: (services) => [
    channel,
    ...builtinMetrics(),
    // The default rules; the frequency cap and quiet hours would suppress or defer a re-run.
    ...complianceRules({ ...services, quietHours: 'off' }).filter((p) => p.name !== 'rule:frequency-cap'),
  ],
});
const workspaceId = await seedWorkspace(app, CONTACTS, {
  kind: 'email',
  value: sql`'member' || id || '@example.com'`,
});

async function run(label: string, text: string) {
  const received = smtp.messages.length;
  const {
    seconds,
    plan,
    counters: c,
  } = await runCampaign(app, workspaceId, label, {
    variants: [{ key: 'A', content: { type: 'email', subject: '{{name}}，会员日到了', text } }],
    channelPlan: [{ channel: 'channel:email-smtp' }],
  });
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
await database.drop();
