/**
 * What the channel benches (sms, email) share: a throw-away PostgreSQL database, the API with its
 * inline worker and the given plugins, contacts seeded in SQL, and one campaign run to completion.
 */
import { randomBytes } from 'node:crypto';
import { buildApp } from '@qunfa/api/src/app.js';
import { workspaces } from '@qunfa/api/src/db/schema/index.js';
import { createCampaign } from '@qunfa/api/src/services/campaign-edits.js';
import { type Counters, silentLogger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';

export type BenchApp = Awaited<ReturnType<typeof buildApp>>;

const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A new database named `<prefix>_<random>`, and how to drop it. */
export async function createBenchDatabase(prefix: string) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return {
    url: adminUrl.replace(/\/[^/]*$/, `/${name}`),
    async drop() {
      await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** The API on that database and Redis, its worker inline with `concurrency` batches at once, no HTTP. */
export async function startBenchApp(options: {
  databaseUrl: string;
  redisPrefix: string;
  concurrency: number;
  plugins: NonNullable<Parameters<typeof buildApp>[1]>['plugins'];
  metricsToken?: string;
}): Promise<BenchApp> {
  const app = await buildApp(
    {
      databaseUrl: options.databaseUrl,
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      redisPrefix: `${options.redisPrefix}-${randomBytes(3).toString('hex')}`,
      dataDir: 'memory://',
      port: 0,
      host: '127.0.0.1',
      worker: 'inline',
      workerConcurrency: options.concurrency,
      seedDemo: false,
      logLevel: 'silent',
      tickIntervalMs: 250,
      quietHours: 'off',
      ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
    } as Parameters<typeof buildApp>[0],
    { plugins: options.plugins, logger: silentLogger, http: false },
  );
  await app.start();
  return app;
}

/** A workspace of `count` contacts, each with one identity of `kind` whose value SQL derives from the contact's `id`. */
export async function seedWorkspace(
  app: BenchApp,
  count: number,
  identity: { kind: 'phone' | 'email'; value: ReturnType<typeof sql> },
): Promise<number> {
  const [ws] = await app.deps.db.insert(workspaces).values({ name: 'bench' }).returning();
  const workspaceId = ws!.id;
  await app.deps.db.execute(sql`
    INSERT INTO contacts (workspace_id, name) SELECT ${workspaceId}::bigint, '客户' || g FROM generate_series(1, ${count}::int) g`);
  await app.deps.db.execute(sql`
    INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT workspace_id, id, ${identity.kind}, ${identity.value} FROM contacts WHERE workspace_id = ${workspaceId}::bigint`);
  return workspaceId;
}

/** Creates a campaign to every contact of the workspace, starts it and waits for it to complete. */
export async function runCampaign(
  app: BenchApp,
  workspaceId: number,
  label: string,
  input: Record<string, unknown>,
): Promise<{ id: string; seconds: number; plan: number; counters: Counters }> {
  const principal = { workspaceId, role: 'admin' as const, keyId: 0, keyName: 'bench' };
  const campaign = await createCampaign(app.deps, principal, {
    ...input,
    name: `${label} ${new Date().toISOString()}`,
    audience: { all: true },
  });
  const id = String(campaign.id);
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
  return { id, seconds, plan, counters: await app.deps.store.counters(id) };
}
