import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, rows } from '../src/db/database.js';
import { createTestDatabase, drivers, type TestDatabase } from './support/databases.js';

/**
 * A contact's workspace (migration 0028) and an identity's contact (migration 0033) are
 * checked by statement-level triggers, not foreign keys: they must refuse, lock and cascade
 * as keys do.
 */
describe.each(drivers)('contact and identity keys (%s)', (driver) => {
  let database: TestDatabase;
  let db: Database;
  let ws = 0;
  beforeAll(async () => {
    database = await createTestDatabase(driver);
    db = await openDatabase(database.url ? { url: database.url } : { dataDir: database.dataDir });
    const [w] = await rows<{ id: number }>(
      db.db,
      sql`INSERT INTO workspaces (name) VALUES ('keys') RETURNING id`,
    );
    ws = Number(w!.id);
  }, 240_000);
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'no error',
      (e: { cause?: { code?: string; constraint?: string; constraint_name?: string } }) =>
        `${e.cause?.code} ${e.cause?.constraint ?? e.cause?.constraint_name ?? ''}`.trim(),
    );
  const contact = async () =>
    Number(
      (
        await rows<{ id: number }>(
          db.db,
          sql`INSERT INTO contacts (workspace_id) VALUES (${ws}::bigint) RETURNING id`,
        )
      )[0]!.id,
    );

  it('refuses a contact in a workspace that does not exist', async () => {
    expect(await failure(db.db.execute(sql`INSERT INTO contacts (workspace_id) VALUES (987654321)`))).toMatch(
      /^23503/,
    );
  });

  it('refuses an identity of a contact that does not exist, or of another workspace', async () => {
    const id = await contact();
    const [other] = await rows<{ id: number }>(
      db.db,
      sql`INSERT INTO workspaces (name) VALUES ('other') RETURNING id`,
    );
    expect(
      await failure(
        db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
          VALUES (${ws}::bigint, ${id}::bigint, 'phone', '+8613900000001'), (${ws}::bigint, 987654321, 'phone', '+8613900000002')`),
      ),
    ).toMatch(/^23503/);
    expect(
      await failure(
        db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
          VALUES (${Number(other!.id)}::bigint, ${id}::bigint, 'phone', '+8613900000003')`),
      ),
    ).toMatch(/^23503/);
    // Nothing of a refused statement stays.
    const [n] = await rows<{ n: number }>(
      db.db,
      sql`SELECT count(*)::int AS n FROM contact_identities WHERE contact_id = ${id}::bigint`,
    );
    expect(n!.n).toBe(0);
  });

  it("checks identities of contacts its own transaction wrote (an import's) in one look-up, refusing a missing one beside them", async () => {
    // Migration 0044: with only this transaction's contacts found, nothing is locked and the
    // count of one look-up decides. A missing contact among them is still refused.
    const write = (missing: boolean) =>
      db.db.transaction(async (raw) => {
        const tx = raw as unknown as typeof db.db;
        const [c] = await rows<{ id: number }>(
          tx,
          sql`INSERT INTO contacts (workspace_id) VALUES (${ws}::bigint) RETURNING id`,
        );
        await tx.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
          VALUES (${ws}::bigint, ${c!.id}::bigint, 'phone', ${missing ? '+8613900000020' : '+8613900000021'}),
                 (${ws}::bigint, ${missing ? 987654321 : Number(c!.id)}::bigint, 'email', ${missing ? 'own-missing@example.com' : 'own@example.com'})`);
        return Number(c!.id);
      });
    expect(await failure(write(true))).toMatch(/^23503/);
    const id = await write(false);
    const [n] = await rows<{ n: number }>(
      db.db,
      sql`SELECT count(*)::int AS n FROM contact_identities WHERE contact_id = ${id}::bigint`,
    );
    expect(n!.n).toBe(2);
    // Another workspace's contact written in the same transaction is not this one's.
    const [other] = await rows<{ id: number }>(
      db.db,
      sql`INSERT INTO workspaces (name) VALUES ('other own') RETURNING id`,
    );
    expect(
      await failure(
        db.db.transaction(async (raw) => {
          const tx = raw as unknown as typeof db.db;
          const [c] = await rows<{ id: number }>(
            tx,
            sql`INSERT INTO contacts (workspace_id) VALUES (${Number(other!.id)}::bigint) RETURNING id`,
          );
          await tx.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
            VALUES (${ws}::bigint, ${c!.id}::bigint, 'phone', '+8613900000022')`);
        }),
      ),
    ).toMatch(/^23503/);
  });

  it('accepts identities of existing contacts, refuses moving one to a missing contact, and cascades a delete', async () => {
    const a = await contact();
    const b = await contact();
    await db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      VALUES (${ws}::bigint, ${a}::bigint, 'phone', '+8613900000010'), (${ws}::bigint, ${b}::bigint, 'email', 'b@example.com')`);
    expect(
      await failure(
        db.db.execute(
          sql`UPDATE contact_identities SET contact_id = 987654321 WHERE contact_id = ${a}::bigint`,
        ),
      ),
    ).toMatch(/^23503/);
    await db.db.execute(
      sql`UPDATE contact_identities SET contact_id = ${b}::bigint WHERE contact_id = ${a}::bigint`,
    );
    await db.db.execute(sql`DELETE FROM contacts WHERE id = ${b}::bigint`);
    const [left] = await rows<{ n: number }>(
      db.db,
      sql`SELECT count(*)::int AS n FROM contact_identities WHERE contact_id IN (${a}::bigint, ${b}::bigint)`,
    );
    expect(left!.n).toBe(0);
  });

  it('keeps a workspace that has contacts, and a contact its key while identities point at it', async () => {
    const id = await contact();
    await db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      VALUES (${ws}::bigint, ${id}::bigint, 'wxid', 'keys_test')`);
    expect(await failure(db.db.execute(sql`DELETE FROM workspaces WHERE id = ${ws}::bigint`))).toMatch(
      /^23503/,
    );
    const [other] = await rows<{ id: number }>(
      db.db,
      sql`INSERT INTO workspaces (name) VALUES ('moved') RETURNING id`,
    );
    expect(
      await failure(
        db.db.execute(
          sql`UPDATE contacts SET workspace_id = ${Number(other!.id)}::bigint WHERE id = ${id}::bigint`,
        ),
      ),
    ).toMatch(/^23503/);
    expect(
      await failure(
        db.db.execute(sql`UPDATE contacts SET workspace_id = 987654321 WHERE id = ${id}::bigint`),
      ),
    ).toMatch(/^23503/);
  });

  it('a truncated contacts table takes its identities with it', async () => {
    const id = await contact();
    await db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      VALUES (${ws}::bigint, ${id}::bigint, 'wxid', 'keys_truncate')`);
    await db.db.execute(sql`TRUNCATE contacts CASCADE`);
    const [left] = await rows<{ n: number }>(db.db, sql`SELECT count(*)::int AS n FROM contact_identities`);
    expect(left!.n).toBe(0);
    // Both in one statement, as a reset does.
    const again = await contact();
    await db.db.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      VALUES (${ws}::bigint, ${again}::bigint, 'wxid', 'keys_truncate')`);
    await db.db.execute(sql`TRUNCATE contact_identities, contacts CASCADE`);
    const [none] = await rows<{ n: number }>(db.db, sql`SELECT count(*)::int AS n FROM contacts`);
    expect(none!.n).toBe(0);
  });

  it.runIf(driver === 'postgres')(
    "holds another transaction's contact while an identity added to it is uncommitted, as the key's lock did",
    async () => {
      const id = await contact();
      const a = postgres(database.url!, { max: 1, onnotice: () => {} });
      const b = postgres(database.url!, { max: 1, onnotice: () => {} });
      try {
        let release = () => {};
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let inserted = () => {};
        const ready = new Promise<void>((resolve) => {
          inserted = resolve;
        });
        const adding = a.begin(async (tx) => {
          await tx`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
            VALUES (${ws}, ${id}, 'wxid', 'keys_lock')`;
          inserted();
          await held;
        });
        await ready;
        // The delete waits for the lock: it times out instead of removing the contact underneath.
        const deleting = b
          .begin(async (tx) => {
            await tx`SET LOCAL lock_timeout = '300ms'`;
            await tx`DELETE FROM contacts WHERE id = ${id}`;
          })
          .then(
            () => 'deleted',
            (e: { code?: string }) => e.code,
          );
        expect(await deleting).toBe('55P03');
        release();
        await adding;
        // Committed: the delete now goes through and takes the identity with it.
        await b`DELETE FROM contacts WHERE id = ${id}`;
        expect(await b`SELECT count(*)::int AS n FROM contact_identities WHERE value = 'keys_lock'`).toEqual([
          { n: 0 },
        ]);
      } finally {
        await a.end();
        await b.end();
      }
    },
  );
});
