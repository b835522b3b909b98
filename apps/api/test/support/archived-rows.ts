import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { type Db, rows } from '../../src/db/database.js';
import { mainCommand } from './built-main.js';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

/** Everything the three archived tables hold for the campaign, as PostgreSQL renders each row. */
export async function dumpArchivedRows(db: Db, campaignId: number) {
  const of = async (query: ReturnType<typeof sql>) => (await rows<{ r: string }>(db, query)).map((x) => x.r);
  return {
    deliveries: await of(
      sql`SELECT row_to_json(d)::text AS r FROM deliveries d WHERE campaign_id = ${campaignId} ORDER BY id`,
    ),
    attempts: await of(
      sql`SELECT row_to_json(a)::text AS r FROM delivery_attempts a
          WHERE delivery_id IN (SELECT id FROM deliveries WHERE campaign_id = ${campaignId}) ORDER BY id`,
    ),
    events: await of(
      sql`SELECT row_to_json(e)::text AS r FROM events e WHERE campaign_id = ${campaignId} ORDER BY id`,
    ),
  };
}

/**
 * Runs `qunfa archive campaign` in a process of its own and kills it -9 once its archive is
 * uploaded and some, not all, of the campaign's `deliveries` rows are removed.
 */
export async function killArchiveMidRemoval(options: {
  db: Db;
  campaignId: number;
  deliveries: number;
  batch: number;
  env: Record<string, string | undefined>;
}): Promise<void> {
  const { db, campaignId } = options;
  const main = mainCommand(inject('builtMain'), { ...process.env, LOG_LEVEL: 'silent', ...options.env });
  const child = spawn(
    process.execPath,
    [...main.args, 'archive', 'campaign', '--id', String(campaignId), '--batch', String(options.batch)],
    {
      cwd: apiDir,
      env: main.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [found] = await rows<{ state: string | null; left: number }>(
      db,
      sql`SELECT (SELECT state FROM campaign_archives WHERE campaign_id = ${campaignId}) AS state,
                 (SELECT count(*)::int FROM deliveries WHERE campaign_id = ${campaignId}) AS left`,
    );
    if (found!.state === 'deleting' && found!.left < options.deliveries) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the archive ended before it could be killed mid-removal:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  child.kill('SIGKILL');
  await exited;
}
