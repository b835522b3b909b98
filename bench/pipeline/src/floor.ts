import type { Db } from '@qunfa/api/src/db/database.js';
import { sql } from 'drizzle-orm';
import { cpuMeter } from './cpu.js';
import { readServerStats, type ServerStats } from './server-stats.js';

/**
 * The floor: what plain SQL takes on the same database to write the same delivery rows
 * (a table like `deliveries`, with its indexes) and to update each once to sent — one
 * INSERT … SELECT and one UPDATE. Returns seconds.
 */
export async function measureFloor(
  db: Db,
  workspaceId: number,
): Promise<{
  insertSeconds: number;
  updateSeconds: number;
  cpuSeconds: number;
  stats: { before: ServerStats; after: ServerStats };
}> {
  await db.execute(sql`DROP TABLE IF EXISTS floor_deliveries`);
  await db.execute(sql`CREATE TABLE floor_deliveries (LIKE deliveries INCLUDING ALL)`);
  const cpu = await cpuMeter(db);
  const before = await readServerStats(db);
  const t0 = performance.now();
  await db.execute(sql`
    INSERT INTO floor_deliveries (workspace_id, campaign_id, contact_id, variant_id, channel, batch_id, state)
    SELECT workspace_id, 0, id, 0, 'channel:instant', (row_number() OVER (ORDER BY last_active_at DESC, id) - 1) / 1000, 'queued'
    FROM contacts WHERE workspace_id = ${workspaceId}::bigint`);
  const t1 = performance.now();
  await db.execute(sql`
    UPDATE floor_deliveries SET state = 'sent', attempts = 1, provider_message_id = 'i-' || id, updated_at = now()`);
  const t2 = performance.now();
  const used = await cpu.read();
  const after = await readServerStats(db);
  await db.execute(sql`DROP TABLE floor_deliveries`);
  return {
    insertSeconds: (t1 - t0) / 1000,
    updateSeconds: (t2 - t1) / 1000,
    cpuSeconds: used.backends + used.self,
    stats: { before, after },
  };
}
