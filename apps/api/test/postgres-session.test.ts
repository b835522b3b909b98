import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, type Db, openDatabase, rows } from '../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

describe('PostgreSQL sessions of the pool', () => {
  let database: TestDatabase;
  let opened: Database;
  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    opened = await openDatabase({ url: database.url!, poolSize: 3 });
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  it('run without JIT, on every connection of the pool (its compile time cost the pipeline more than it saved)', async () => {
    // Several at once, so more than one connection answers.
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        opened.db.transaction(async (tx) => {
          const [row] = await rows<{ jit: string; pid: number }>(
            tx as unknown as Db,
            sql`SELECT current_setting('jit') AS jit, pg_backend_pid() AS pid, pg_sleep(0.05)::text`,
          );
          return row!;
        }),
      ),
    );
    expect(new Set(answers.map((a) => a.pid)).size).toBeGreaterThan(1);
    expect(answers.map((a) => a.jit)).toEqual(Array(6).fill('off'));
  });
});
