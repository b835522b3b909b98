import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createGunzip, gzip } from 'node:zlib';
import { QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';

const gzipped = promisify(gzip);

export const ARCHIVE_VERSION = 1;

/** One line of an archive: a header, rows of the three tables as PostgreSQL's `row_to_json` wrote them, a trailer. */
export type ArchiveLine =
  | { t: 'header'; version: number; workspaceId: number; campaignId: number; writtenAt: string }
  | { t: 'delivery' | 'attempt' | 'event'; row: Record<string, unknown> }
  | { t: 'end'; deliveries: number; attempts: number; events: number };

export interface ArchiveCounts {
  deliveries: number;
  attempts: number;
  events: number;
  /** Of the file, in bytes. */
  size: number;
  sha256: string;
}

/** A campaign's rows of `table` as `row_to_json`, `page` at a time in id order. */
async function* keysetPages(db: Db, table: 'deliveries' | 'events', campaignId: number, page: number) {
  let after = 0;
  for (;;) {
    const found = await rows<{ id: number; row: Record<string, unknown> }>(
      db,
      sql`SELECT t.id, row_to_json(t) AS row FROM ${sql.raw(table)} t
          WHERE t.campaign_id = ${campaignId} AND t.id > ${after} ORDER BY t.id LIMIT ${page}`,
    );
    if (found.length === 0) return;
    after = Number(found.at(-1)!.id);
    yield found;
  }
}

/**
 * Writes a campaign's deliveries (each followed by its attempts) and its events to a gzipped
 * JSON Lines file at `path`, read in keyset pages of `page` rows, and flushes it to disk; on any
 * failure the file is removed. `path` is a staging file: the archive target makes it the archive
 * (a rename into the folder, an upload) once whole, so an archive's final name only ever holds a
 * whole file ending with its trailer.
 */
export async function writeArchiveFile(
  db: Db,
  ids: { workspaceId: number; campaignId: number },
  path: string,
  page = 1000,
): Promise<ArchiveCounts> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'w');
  const hash = createHash('sha256');
  const counts = { deliveries: 0, attempts: 0, events: 0 };
  let pending: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    // Each flush is a gzip member of its own: concatenated members are one valid gzip stream.
    const chunk = await gzipped(`${pending.join('\n')}\n`);
    pending = [];
    hash.update(chunk);
    await file.write(chunk);
  };
  const line = (l: ArchiveLine) => pending.push(JSON.stringify(l));
  try {
    line({
      t: 'header',
      version: ARCHIVE_VERSION,
      workspaceId: ids.workspaceId,
      campaignId: ids.campaignId,
      writtenAt: new Date().toISOString(),
    });
    for await (const found of keysetPages(db, 'deliveries', ids.campaignId, page)) {
      const attempts = await rows<{ deliveryId: number; row: Record<string, unknown> }>(
        db,
        sql`SELECT a.delivery_id AS "deliveryId", row_to_json(a) AS row FROM delivery_attempts a
            WHERE a.delivery_id = ANY(${`{${found.map((f) => f.id).join(',')}}`}::bigint[])
            ORDER BY a.delivery_id, a.id`,
      );
      const byDelivery = new Map<number, Record<string, unknown>[]>();
      for (const a of attempts) {
        const list = byDelivery.get(Number(a.deliveryId)) ?? [];
        list.push(a.row);
        byDelivery.set(Number(a.deliveryId), list);
      }
      for (const d of found) {
        line({ t: 'delivery', row: d.row });
        counts.deliveries++;
        for (const row of byDelivery.get(Number(d.id)) ?? []) {
          line({ t: 'attempt', row });
          counts.attempts++;
        }
      }
      await flush();
    }
    for await (const found of keysetPages(db, 'events', ids.campaignId, page)) {
      for (const e of found) {
        line({ t: 'event', row: e.row });
        counts.events++;
      }
      await flush();
    }
    line({ t: 'end', ...counts });
    await flush();
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(path, { force: true });
    throw error;
  }
  const { size } = await file.stat();
  await file.close();
  return { ...counts, size, sha256: hash.digest('hex') };
}

/** A damaged or unreadable archive: CONFLICT with `details.reason` ARCHIVE_CORRUPT, nothing written. */
const corrupt = (message: string) =>
  new QunfaError('CONFLICT', message, { details: { reason: 'ARCHIVE_CORRUPT' } });

/** The sha256 of a file's bytes, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The lines of an archive, after checking its sha256 against `sha256` (when given) and that it
 * ends with a trailer whose counts match what it holds: ARCHIVE_CORRUPT otherwise.
 */
export async function* readArchiveFile(
  path: string,
  sha256?: string,
  /** The archive's name in messages (its location when `path` is a local copy). Default `path`. */
  name = path,
): AsyncGenerator<ArchiveLine> {
  if (sha256 !== undefined && (await fileSha256(path)) !== sha256) {
    throw corrupt(`archive ${name} does not match its recorded sha256`);
  }
  const counts = { deliveries: 0, attempts: 0, events: 0 };
  let ended = false;
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text === '') continue;
    if (ended) throw corrupt(`archive ${name} has lines after its trailer`);
    const l = JSON.parse(text) as ArchiveLine;
    if (l.t === 'delivery') counts.deliveries++;
    else if (l.t === 'attempt') counts.attempts++;
    else if (l.t === 'event') counts.events++;
    else if (l.t === 'end') {
      ended = true;
      if (
        l.deliveries !== counts.deliveries ||
        l.attempts !== counts.attempts ||
        l.events !== counts.events
      ) {
        throw corrupt(`archive ${name}: its trailer does not match its rows`);
      }
    }
    yield l;
  }
  if (!ended) throw corrupt(`archive ${name} is truncated (no trailer)`);
}
