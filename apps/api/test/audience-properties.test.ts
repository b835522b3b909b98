import {
  type AudienceExpression,
  type AudienceSubject,
  DAY_MS,
  matchesAudience,
  tagHierarchy,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstPositions } from '../src/audience/bitset.js';
import { evaluateAudience, resolveAudience } from '../src/audience/resolve-audience.js';
import { type Database, openDatabase, rows } from '../src/db/database.js';
import { recordAudienceChanges } from '../src/store/audience-changes.js';
import { audienceToSql } from '../src/store/audience-sql.js';
import { createTestDatabase, drivers, type TestDatabase } from './support/databases.js';

const asOf = new Date('2026-03-02T01:00:00.000Z');
/** Tags 1–6: 4 under 1, 5 under 4 (three levels), 6 under 2. */
const tags = [
  { id: '1', parentId: null },
  { id: '2', parentId: null },
  { id: '3', parentId: null },
  { id: '4', parentId: '1' },
  { id: '5', parentId: '4' },
  { id: '6', parentId: '2' },
];
const provinces = ['浙江省', '广东省'];
const cities = ['杭州市', '深圳市'];
const devices = ['ios', 'android'];

interface Person extends AudienceSubject {
  id: number;
  tagIds: string[];
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const personArb = (id: number): fc.Arbitrary<Person> =>
  fc.record({
    id: fc.constant(id),
    tagIds: fc.uniqueArray(fc.constantFrom(...tags.map((t) => t.id)), { maxLength: 3 }),
    province: maybe(fc.constantFrom(...provinces)),
    city: maybe(fc.constantFrom(...cities)),
    district: maybe(fc.constantFrom('西湖区', '南山区')),
    device: maybe(fc.constantFrom(...devices)),
    lastActiveAt: maybe(
      fc.integer({ min: -60, max: 0 }).map((d) => new Date(asOf.getTime() + d * DAY_MS + 1000)),
    ),
    attributes: fc.dictionary(
      fc.constantFrom('spend', 'level', 'vip'),
      fc.oneof(
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom('gold', 'silver', '100'),
        fc.boolean(),
        fc.constant(null),
      ),
    ),
  });

const leaf: fc.Arbitrary<AudienceExpression> = fc.oneof(
  fc.constant({ all: true as const }),
  fc.constantFrom(...tags.map((t) => ({ tag: t.id }))),
  fc.constantFrom(...tags.map((t) => ({ tagUnder: t.id }))),
  fc.record({ province: fc.constantFrom(...provinces) }).map((region) => ({ region })),
  fc
    .record({ province: fc.constantFrom(...provinces), city: fc.constantFrom(...cities) })
    .map((region) => ({ region })),
  fc.constantFrom(...devices, 'harmonyos').map((device) => ({ device })),
  fc.integer({ min: 0, max: 60 }).map((activeWithinDays) => ({ activeWithinDays })),
  fc.constantFrom('spend', 'level', 'vip').map((key) => ({ attribute: { key, op: 'exists' as const } })),
  fc
    .record({
      key: fc.constantFrom('spend', 'level', 'vip'),
      value: fc.constantFrom(100, 'gold', '100', true),
    })
    .map(({ key, value }) => ({ attribute: { key, op: 'eq' as const, value } })),
  fc
    .constantFrom('gt', 'gte', 'lt', 'lte')
    .chain((op) =>
      fc.integer({ min: 0, max: 200 }).map((value) => ({ attribute: { key: 'spend', op, value } })),
    ),
  fc.constant<AudienceExpression>({ attribute: { key: 'level', op: 'in', values: ['gold', 100] } }),
);
const expressionArb: fc.Arbitrary<AudienceExpression> = fc.letrec<{ e: AudienceExpression }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('e'), { maxLength: 3 }).map((and) => ({ and })),
    fc.array(tie('e'), { maxLength: 3 }).map((or) => ({ or })),
    tie('e').map((not) => ({ not })),
  ),
})).e;

describe.each(drivers)(
  'audience expressions compile exactly as the reference evaluates them (%s)',
  (driver) => {
    let testDb: TestDatabase;
    let database: Database;
    const people = new Map<number, Person>();
    const context = { asOf, tagsUnder: tagHierarchy(tags) };

    async function write(p: Person) {
      const db = database.db;
      await db.execute(sql`INSERT INTO contacts (id, workspace_id, province, city, district, device, tag_ids, last_active_at, attributes)
      OVERRIDING SYSTEM VALUE VALUES (${p.id}::bigint, 1, ${p.province}, ${p.city}, ${p.district}, ${p.device},
        ${`{${p.tagIds.join(',')}}`}::bigint[], ${p.lastActiveAt?.toISOString() ?? null}::timestamptz, ${JSON.stringify(p.attributes)}::jsonb)
      ON CONFLICT (id) DO UPDATE SET tag_ids = EXCLUDED.tag_ids, device = EXCLUDED.device`);
      await recordAudienceChanges(db, 1, [p.id]);
      people.set(p.id, p);
    }

    beforeAll(async () => {
      testDb = await createTestDatabase(driver);
      database = await openDatabase({ url: testDb.url, dataDir: testDb.dataDir });
      await database.db.execute(
        sql`INSERT INTO workspaces (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'w'), (2, 'other')`,
      );
      for (const t of tags) {
        await database.db.execute(sql`INSERT INTO tags (id, workspace_id, name, parent_id) OVERRIDING SYSTEM VALUE
        VALUES (${Number(t.id)}::bigint, 1, ${`t${t.id}`}, ${t.parentId === null ? null : Number(t.parentId)}::bigint)`);
      }
      const sample = fc.sample(fc.tuple(...Array.from({ length: 80 }, (_, i) => personArb(i + 1))), {
        seed: 7,
        numRuns: 1,
      })[0]!;
      for (const p of sample) await write(p);
      await database.db.execute(
        sql`INSERT INTO contacts (id, workspace_id, tag_ids) OVERRIDING SYSTEM VALUE VALUES (1000, 2, '{1,2,3}')`,
      );
    }, 60_000);
    afterAll(async () => {
      await database?.close();
      await testDb?.drop();
    });

    it('SQL planning and the in-memory index both select exactly matchesAudience’s contacts', async () => {
      await fc.assert(
        fc.asyncProperty(
          expressionArb,
          fc.record({
            id: fc.integer({ min: 1, max: 80 }),
            tags: fc.uniqueArray(fc.constantFrom('1', '2', '3', '4', '5', '6'), { maxLength: 3 }),
            device: maybe(fc.constantFrom(...devices)),
          }),
          async (expression, change) => {
            const before = people.get(change.id)!;
            await write({ ...before, tagIds: change.tags, device: change.device });
            const expected = [...people.values()]
              .filter((p) => matchesAudience(expression, p, context))
              .map((p) => p.id)
              .sort((a, b) => a - b);
            const viaSql = await rows<{ id: number | string }>(
              database.db,
              sql`SELECT c.id FROM contacts c WHERE c.workspace_id = 1 AND ${audienceToSql(expression, asOf)} ORDER BY c.id`,
            );
            expect(viaSql.map((r) => Number(r.id))).toEqual(expected);
            const { index, matched } = await evaluateAudience(database.db, 1, expression, asOf);
            const viaIndex = firstPositions(matched, 1000)
              .map((pos) => index.ids[pos]!)
              .sort((a, b) => a - b);
            expect(viaIndex).toEqual(expected);
            // Counted as a preview counts, on sets reused from the call before (borrowSets).
            const counts = await resolveAudience(database.db, 1, expression, { asOf, sampleSize: 1000 });
            expect(counts.matched).toBe(expected.length);
            expect([...counts.sampleIds].sort((a, b) => a - b)).toEqual(expected);
          },
        ),
        { numRuns: 150, seed: 20260302 },
      );
    }, 120_000);
  },
);
