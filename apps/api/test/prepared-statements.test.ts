import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, preparedRows, rows } from '../src/db/database.js';
import { createTestDatabase, drivers, type TestDatabase } from './support/databases.js';

/*
 * preparedRows: the rows `rows` gives, from a statement PostgreSQL prepared once per connection;
 * past its cap of distinct texts, statements run unnamed instead (nothing more is prepared).
 */
describe.each(drivers)('preparedRows on %s', (driver) => {
  let database: Database;
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(driver);
    database = await openDatabase({ url: testDb.url, dataDir: testDb.dataDir, poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  const query = (ids: number[]) =>
    sql`SELECT n::text AS id, n * 2 AS twice FROM unnest(${`{${ids.join(',')}}`}::int[]) AS n ORDER BY n`;

  it('returns what rows returns, whatever the parameters', async () => {
    for (const ids of [[1, 2, 3], [7], []]) {
      expect(await preparedRows(database.db, query(ids))).toEqual(await rows(database.db, query(ids)));
    }
    expect(await preparedRows(database.db, query([4, 5]))).toEqual([
      { id: '4', twice: 8 },
      { id: '5', twice: 10 },
    ]);
  });

  it.runIf(driver === 'postgres')('prepares a text once per connection; rows prepares nothing', async () => {
    const text = 'SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE $1';
    await database.db.transaction(async (raw) => {
      const tx = raw as unknown as Database['db'];
      const marker = sql`SELECT ${'a'}::text AS marker_prepared_once`;
      await preparedRows(tx, marker);
      await preparedRows(tx, marker);
      await rows(tx, sql`SELECT ${'b'}::text AS marker_unnamed`);
      const [prepared] = await rows<{ n: number }>(
        tx,
        sql.raw(text.replace('$1', "'%marker_prepared_once%'")),
      );
      const [unnamed] = await rows<{ n: number }>(tx, sql.raw(text.replace('$1', "'%marker_unnamed%'")));
      expect(prepared!.n).toBe(1);
      expect(unnamed!.n).toBe(0);
    });
  });

  it.runIf(driver === 'postgres')('runs texts past its cap unnamed, with the same results', async () => {
    // Distinct texts until the cap (200 in this process) is passed.
    for (let i = 0; i < 200; i++) await preparedRows(database.db, sql.raw(`SELECT ${i} AS filler_${i}`));
    await database.db.transaction(async (raw) => {
      const tx = raw as unknown as Database['db'];
      expect(await preparedRows(tx, sql`SELECT ${'c'}::text AS past_cap`)).toEqual([{ past_cap: 'c' }]);
      const [left] = await rows<{ n: number }>(
        tx,
        sql.raw("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%past_cap%'"),
      );
      expect(left!.n).toBe(0);
    });
  });
});
