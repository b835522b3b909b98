import type { Campaign, Contact, SuppressionReason, Tag, Workspace } from '@qunfa/core';
import { describeStoreContract } from '@qunfa/core/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '../src/db/database.js';
import { createSqlStore } from '../src/store/sql-store.js';
import { createTestDatabase, type Driver, drivers, type TestDatabase } from './support/databases.js';

/**
 * Empties every table of the schema between contract tests. DELETE with triggers and foreign-key
 * checks off (replica role) instead of TRUNCATE: a TRUNCATE of the 40-odd tables gives each a new
 * file on PostgreSQL, 0.45–1 s a test here against ~10 ms for the DELETEs (psql, ten of each,
 * loaded machine) — most of this file's time on PostgreSQL.
 */
const emptyEveryTable = sql.raw(`DO $$
  DECLARE t text;
  BEGIN
    SET LOCAL session_replication_role = replica;
    FOR t IN SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' LOOP
      EXECUTE 'DELETE FROM ' || t;
    END LOOP;
    -- The contract gives small explicit ids; generated ones start far above them.
    FOREACH t IN ARRAY ARRAY['workspaces', 'contacts', 'tags', 'campaigns', 'variants'] LOOP
      PERFORM setval(pg_get_serial_sequence(t, 'id'), 1000000, false);
    END LOOP;
  END $$`);

/** One database per driver for the file; each contract test starts from emptied tables. */
function sqlHarness(driver: Driver) {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    database = await openDatabase({ url: testDb.url, dataDir: testDb.dataDir });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  return async () => {
    const db = database.db;
    await db.execute(emptyEveryTable);
    const json = (v: unknown) => JSON.stringify(v);
    return {
      store: createSqlStore(db),
      async addWorkspace(w: Workspace) {
        await db.execute(sql`INSERT INTO workspaces (id, name, time_zone) OVERRIDING SYSTEM VALUE
                             VALUES (${Number(w.id)}::bigint, ${w.name}, ${w.timeZone})`);
      },
      async addTag(t: Tag) {
        await db.execute(sql`INSERT INTO tags (id, workspace_id, name, parent_id) OVERRIDING SYSTEM VALUE
                             VALUES (${Number(t.id)}::bigint, ${Number(t.workspaceId)}::bigint, ${t.name},
                                     ${t.parentId === null ? null : Number(t.parentId)}::bigint)
                             ON CONFLICT DO NOTHING`);
      },
      async addContact(c: Contact, suppressions: SuppressionReason[] = []) {
        const id = Number(c.id);
        const ws = Number(c.workspaceId);
        const tagIds = `{${c.tagIds.map(Number).join(',')}}`;
        await db.execute(sql`INSERT INTO contacts (id, workspace_id, kind, name, attributes, region, province, city, district, device,
                                                   tag_ids, last_active_at, created_at, updated_at)
                             OVERRIDING SYSTEM VALUE
                             VALUES (${id}::bigint, ${ws}::bigint, ${c.kind ?? 'person'}, ${c.name}, ${json(c.attributes)}::jsonb, ${c.region},
                                     ${c.province ?? null}, ${c.city ?? null}, ${c.district ?? null}, ${c.device ?? null},
                                     ${tagIds}::bigint[], ${c.lastActiveAt?.toISOString() ?? null}::timestamptz,
                                     ${c.createdAt.toISOString()}::timestamptz, ${c.updatedAt.toISOString()}::timestamptz)`);
        for (const i of c.identities) {
          await db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
                               VALUES (${ws}::bigint, ${id}::bigint, ${i.kind}, ${i.value})`);
        }
        for (const reason of suppressions) {
          await db.execute(sql`INSERT INTO suppressions (workspace_id, contact_id, reason)
                               VALUES (${ws}::bigint, ${id}::bigint, ${reason})`);
        }
      },
      async addReach(r: { contactId: string; channel: string; account: string; ended: boolean }) {
        await db.execute(sql`INSERT INTO contact_reach (workspace_id, contact_id, channel, account, removed_by)
                             SELECT c.workspace_id, c.id, ${r.channel}, ${r.account}, ${r.ended ? 'customer' : null}
                             FROM contacts c WHERE c.id = ${Number(r.contactId)}::bigint`);
      },
      async addCampaign(c: Campaign) {
        const id = Number(c.id);
        const ws = Number(c.workspaceId);
        await db.execute(sql`INSERT INTO campaigns (id, workspace_id, name, state, audience, channel_plan, channel_mode, retry_policy,
                                                    scheduled_at, batch_interval_ms, send_window_ms, resend_of, schedule, next_run_at, run_of_id, run_key, ab_test, created_at, updated_at, started_at, finished_at)
                             OVERRIDING SYSTEM VALUE
                             VALUES (${id}::bigint, ${ws}::bigint, ${c.name}, ${c.state}, ${json(c.audience)}::jsonb,
                                     ${json(c.channelPlan)}::jsonb, ${c.channelMode ?? 'first'}, ${json(c.retryPolicy)}::jsonb,
                                     ${c.scheduledAt?.toISOString() ?? null}::timestamptz, ${c.batchIntervalMs}::int,
                                     ${c.sendWindowMs}::bigint, ${c.resendOf ? json(c.resendOf) : null}::jsonb,
                                     ${c.schedule ? json(c.schedule) : null}::jsonb, ${c.nextRunAt?.toISOString() ?? null}::timestamptz,
                                     ${c.runOf ? Number(c.runOf.campaignId) : null}::bigint, ${c.runOf?.key ?? null}::text,
                                     ${c.abTest ? json(c.abTest) : null}::jsonb,
                                     ${c.createdAt.toISOString()}::timestamptz, ${c.updatedAt.toISOString()}::timestamptz,
                                     ${c.startedAt?.toISOString() ?? null}::timestamptz,
                                     ${c.finishedAt?.toISOString() ?? null}::timestamptz)`);
        for (const v of c.variants) {
          await db.execute(sql`INSERT INTO variants (id, workspace_id, campaign_id, key, weight, content) OVERRIDING SYSTEM VALUE
                               VALUES (${Number(v.id)}::bigint, ${ws}::bigint, ${id}::bigint, ${v.key}, ${v.weight}::real,
                                       ${json(v.content)}::jsonb)`);
        }
      },
      close: async () => {},
    };
  };
}

for (const driver of drivers) describeStoreContract(`SQL store on ${driver}`, sqlHarness(driver));
