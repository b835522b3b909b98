import { type Db, rows } from '@qunfa/api/src/db/database.js';
import { sql } from 'drizzle-orm';

/**
 * What the PostgreSQL server did, cumulative, read at one moment: the bench database's block
 * reads (from outside shared_buffers: the OS cache or the disk) and hits, and the cluster's WAL
 * and checkpoints. WAL and checkpoint figures are the whole cluster's, so other work on the server
 * shows in them; block figures are this database's alone.
 */
export interface ServerStats {
  at: number;
  blocksRead: number;
  blocksHit: number;
  tempBytes: number;
  walBytes: number;
  walFullPageImages: number;
  walRecords: number;
  checkpointsTimed: number;
  checkpointsRequested: number;
  buffersWrittenByBackends: number;
  databaseBytes: number;
}

export async function readServerStats(db: Db): Promise<ServerStats> {
  const [row] = await rows<Record<string, string>>(
    db,
    sql`SELECT d.blks_read, d.blks_hit, d.temp_bytes,
               w.wal_bytes, w.wal_fpi, w.wal_records,
               b.checkpoints_timed, b.checkpoints_req, b.buffers_backend,
               pg_database_size(current_database()) AS database_bytes
        FROM pg_stat_database d, pg_stat_wal w, pg_stat_bgwriter b
        WHERE d.datname = current_database()`,
  );
  const n = (key: string) => Number(row![key]);
  return {
    at: performance.now(),
    blocksRead: n('blks_read'),
    blocksHit: n('blks_hit'),
    tempBytes: n('temp_bytes'),
    walBytes: n('wal_bytes'),
    walFullPageImages: n('wal_fpi'),
    walRecords: n('wal_records'),
    checkpointsTimed: n('checkpoints_timed'),
    checkpointsRequested: n('checkpoints_req'),
    buffersWrittenByBackends: n('buffers_backend'),
    databaseBytes: n('database_bytes'),
  };
}

/** One stretch of a run between two readings, per million recipients settled in it. */
export interface Segment {
  fromRecipients: number;
  toRecipients: number;
  seconds: number;
  backendCpuSeconds: number;
  workerCpuSeconds: number;
  stats: { before: ServerStats; after: ServerStats };
}

const perMillion = (value: number, s: Segment) => value / ((s.toRecipients - s.fromRecipients) / 1e6);

/** 1,500,000 as "1.5M", 20,000 as "20k". */
const count = (n: number) =>
  n >= 1e6 ? `${+(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${+(n / 1e3).toFixed(1)}k` : String(n);

/** A markdown table of segments: each figure per million recipients settled in the segment. */
export function segmentTable(segments: Segment[]): string[] {
  const fmt = (n: number, digits = 1) => n.toFixed(digits);
  return [
    '| Settled | s / M | Backend CPU s / M | Worker CPU s / M | Blocks read / M | Blocks hit / M | Read share | WAL MB / M | Full-page images / M | FPI share of WAL records | Checkpoints (timed + requested) | Buffers written by backends / M | Database GB at end |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...segments.map((s) => {
      const { before, after } = s.stats;
      const d = (key: keyof ServerStats) => after[key] - before[key];
      const reads = d('blocksRead');
      const hits = d('blocksHit');
      return `| ${count(s.fromRecipients)}–${count(s.toRecipients)} | ${fmt(perMillion(s.seconds, s))} | ${fmt(perMillion(s.backendCpuSeconds, s))} | ${fmt(perMillion(s.workerCpuSeconds, s))} | ${Math.round(perMillion(reads, s)).toLocaleString('en')} | ${Math.round(perMillion(hits, s)).toLocaleString('en')} | ${fmt((100 * reads) / Math.max(1, reads + hits))} % | ${fmt(perMillion(d('walBytes'), s) / 2 ** 20, 0)} | ${Math.round(perMillion(d('walFullPageImages'), s)).toLocaleString('en')} | ${fmt((100 * d('walFullPageImages')) / Math.max(1, d('walRecords')))} % | ${d('checkpointsTimed')} + ${d('checkpointsRequested')} | ${Math.round(perMillion(d('buffersWrittenByBackends'), s)).toLocaleString('en')} | ${fmt(after.databaseBytes / 2 ** 30, 2)} |`;
    }),
  ];
}
