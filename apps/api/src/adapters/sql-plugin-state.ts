import type { Clock, PluginState } from '@qunfa/core';
import { systemClock } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';

/** Keys one statement of `getMany` / `setMany` carries. */
const MANY_SLICE = 5000;
/** Writes between two sweeps of expired rows (replay guards would otherwise pile up). */
const SWEEP_EVERY = 500;

/**
 * Plugin state in the `plugin_state` table, shared by every process on the database (PGlite
 * or PostgreSQL). Expiry is checked against the app's clock, as the memory reference does.
 */
export function createSqlPluginState(db: Db, clock: Pick<Clock, 'now'> = systemClock): PluginState {
  let writes = 0;
  const until = (ttlMs: number | undefined) =>
    ttlMs === undefined ? null : new Date(clock.now().getTime() + ttlMs).toISOString();
  const json = (value: unknown) => JSON.stringify(value ?? null);
  const swept = async () => {
    if (++writes % SWEEP_EVERY !== 0) return;
    await db.execute(
      sql`DELETE FROM plugin_state WHERE key IN (SELECT key FROM plugin_state
          WHERE expires_at <= ${clock.now().toISOString()}::timestamptz LIMIT 10000)`,
    );
  };
  return {
    async get<T>(key: string) {
      const [row] = await rows<{ value: T }>(
        db,
        sql`SELECT value FROM plugin_state WHERE key = ${key}
            AND (expires_at IS NULL OR expires_at > ${clock.now().toISOString()}::timestamptz)`,
      );
      return row?.value;
    },
    async set(key, value, ttlMs) {
      await db.execute(
        sql`INSERT INTO plugin_state (key, value, expires_at)
            VALUES (${key}, ${json(value)}::jsonb, ${until(ttlMs)}::timestamptz)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      );
      await swept();
    },
    async setIfAbsent(key, value, ttlMs) {
      // The insert wins, or takes over an expired row; a live row stays and nothing returns.
      const won = await rows<{ key: string }>(
        db,
        sql`INSERT INTO plugin_state (key, value, expires_at)
            VALUES (${key}, ${json(value)}::jsonb, ${until(ttlMs)}::timestamptz)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
            WHERE plugin_state.expires_at IS NOT NULL
              AND plugin_state.expires_at <= ${clock.now().toISOString()}::timestamptz
            RETURNING key`,
      );
      await swept();
      return won.length === 1;
    },
    async delete(key) {
      await db.execute(sql`DELETE FROM plugin_state WHERE key = ${key}`);
    },
    async getMany<T>(keys: readonly string[]) {
      const found = new Map<string, T>();
      for (let i = 0; i < keys.length; i += MANY_SLICE) {
        const slice = keys.slice(i, i + MANY_SLICE);
        const got = await rows<{ key: string; value: T }>(
          db,
          sql`SELECT key, value FROM plugin_state
              WHERE key = ANY(ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(slice)}::jsonb)))
                AND (expires_at IS NULL OR expires_at > ${clock.now().toISOString()}::timestamptz)`,
        );
        for (const r of got) found.set(r.key, r.value);
      }
      return keys.map((k) => found.get(k));
    },
    async setMany(entries, ttlMs) {
      for (let i = 0; i < entries.length; i += MANY_SLICE) {
        const slice = entries.slice(i, i + MANY_SLICE).map((e) => ({ key: e.key, value: e.value ?? null }));
        // A key twice in one statement would make ON CONFLICT touch a row twice: the last one wins.
        const last = [...new Map(slice.map((e) => [e.key, e])).values()];
        await db.execute(
          sql`INSERT INTO plugin_state (key, value, expires_at)
              SELECT t.key, t.value, ${until(ttlMs)}::timestamptz
              FROM jsonb_to_recordset(${JSON.stringify(last)}::jsonb) AS t(key text, value jsonb)
              ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
        );
        await swept();
      }
    },
  };
}
