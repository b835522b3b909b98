/**
 * SMS sends per second through the engine against the fake Aliyun and Tencent Cloud servers, on
 * PostgreSQL + Redis with one worker (the API process's inline worker, WORKER_CONCURRENCY batches
 * at once), beside the providers' documented rate limits. Not a test: `pnpm bench` prints figures.
 * `CONTACTS=…` (default 20,000), `DATABASE_ADMIN_URL` (default postgres://postgres@127.0.0.1:5432/postgres),
 * `REDIS_URL` (default redis://127.0.0.1:6379), `NETWORK_RETRY_MS` (default 500: the campaigns' retry
 * delay after a network failure, not the product's 2 h). The fakes run in this process too: they share its CPU.
 */
import { loadavg } from 'node:os';
import { rows } from '@qunfa/api/src/db/database.js';
import { smsAliyun, smsTencent } from '@qunfa/channels';
import { startFakeAliyun } from '@qunfa/channels/sms-aliyun/fake-server';
import { startFakeTencent } from '@qunfa/channels/sms-tencent/fake-server';
import { builtinMetrics } from '@qunfa/plugins';
import { sql } from 'drizzle-orm';
import { createBenchDatabase, runCampaign, seedWorkspace, startBenchApp } from './engine-bench.js';

const CONTACTS = Number(process.env.CONTACTS ?? 20_000);
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 4);
/** A network failure is retried after this long (the default, 2 h, would stall the bench on one timeout). */
const NETWORK_RETRY_MS = Number(process.env.NETWORK_RETRY_MS ?? 500);

const database = await createBenchDatabase('qunfa_sms_bench');
const aliyun = await startFakeAliyun({
  signNames: ['群发科技'],
  templates: { SMS_1: ['code'] },
  perNumberDailyLimit: 100,
});
const tencent = await startFakeTencent({
  signNames: ['群发科技'],
  templates: { '1001': 1 },
  perNumberDailyLimit: 100,
});
const plugins = [
  smsAliyun({
    accessKeyId: 'LTAIfakeAccessKeyId',
    accessKeySecret: 'fakeAccessKeySecret',
    signName: '群发科技',
    endpoint: aliyun.endpoint,
    protocol: 'http',
  }),
  smsTencent({
    secretId: 'AKIDfakeSecretId',
    secretKey: 'fakeSecretKey',
    smsSdkAppId: '1400000001',
    signName: '群发科技',
    endpoint: tencent.endpoint,
    protocol: 'http://',
    templates: { SMS_1: '1001' },
  }),
  ...builtinMetrics(),
];
const app = await startBenchApp({
  databaseUrl: database.url,
  redisPrefix: 'qunfa-sms-bench',
  concurrency: CONCURRENCY,
  plugins,
});
const workspaceId = await seedWorkspace(app, CONTACTS, {
  kind: 'phone',
  value: sql`'+86' || (13900000000 + id)::text`,
});

async function run(
  label: string,
  channelPlan: { channel: string; failover?: string[]; trackLinks?: boolean }[],
  text: string,
) {
  const {
    id,
    seconds,
    plan,
    counters: c,
  } = await runCampaign(app, workspaceId, label, {
    variants: [{ key: 'A', content: { type: 'template', subject: 'SMS_1', text } }],
    channelPlan,
    // The bench measures throughput, not back-off: a timed-out call is retried within a second.
    retryPolicy: { networkRetryDelayMs: NETWORK_RETRY_MS, unknownRetryDelayMs: NETWORK_RETRY_MS },
  });
  const [retried] = await rows<{ n: number }>(
    app.deps.db,
    sql`
    SELECT count(*)::int AS n FROM delivery_attempts
    WHERE campaign_id = ${Number(id)}::bigint AND failure_class IN ('network', 'unknown')`,
  );
  console.log(
    `${label}: ${CONTACTS} recipients in ${seconds.toFixed(1)} s (plan ${plan.toFixed(1)} s) → ${(CONTACTS / seconds).toFixed(0)} sends/s; sent ${c.sent + c.delivered}, failed ${c.failed}, uncertain ${c.uncertain}; attempts retried after a network/unknown failure ${retried?.n ?? 0} (${NETWORK_RETRY_MS} ms later)`,
  );
}

const calls = () => ({
  aliyun: aliyun.requests.filter((r) => r.action.startsWith('Send')).length,
  tencent: tencent.requests.filter((r) => r.action === 'SendSms').length,
});
console.log(
  `SMS through the engine: PostgreSQL + Redis, one worker (concurrency ${CONCURRENCY}), load ${loadavg()[0]!.toFixed(1)}`,
);
let before = calls();
await run(
  'Aliyun, one parameter set (SendSms ≤1000/call)',
  [{ channel: 'channel:sms-aliyun', trackLinks: false }],
  'code: 8888',
);
console.log(`  Aliyun calls: ${calls().aliyun - before.aliyun}`);
before = calls();
await run(
  'Aliyun, personalised ({{name}}: SendBatchSms ≤100/call)',
  [{ channel: 'channel:sms-aliyun', trackLinks: false }],
  'code: {{name}}',
);
console.log(`  Aliyun calls: ${calls().aliyun - before.aliyun}`);
before = calls();
await run(
  'Tencent (SendSms ≤200/call)',
  [{ channel: 'channel:sms-tencent', trackLinks: false }],
  'code: 8888',
);
console.log(`  Tencent calls: ${calls().tencent - before.tencent}`);
console.log(
  'Documented limits: Aliyun SendSms / SendBatchSms 5,000 calls/s per user (≤1,000 / ≤100 numbers a call);',
);
console.log(
  '  Tencent SendSms 3,000 calls/s (≤200 numbers a call). Per-number business limits apply on top.',
);

await app.stop();
await aliyun.close();
await tencent.close();
await database.drop();
