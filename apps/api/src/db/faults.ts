import { statfsSync } from 'node:fs';
import { QunfaError } from '@qunfa/core';

/** SQLSTATE class 53, insufficient resources: the server cannot go on until an operator acts. */
const RESOURCE_FAULTS: Record<string, { reason: string; message: string }> = {
  '53100': {
    reason: 'disk_full',
    message: "the database's disk is full: nothing was written; free space and try again",
  },
  '53200': {
    reason: 'out_of_memory',
    message: 'the database ran out of memory: nothing was written; try again',
  },
  '53300': {
    reason: 'too_many_connections',
    message: 'the database refuses more connections: nothing was written; try again',
  },
};

/**
 * A database error a client should see as a typed `UNAVAILABLE` (disk full, out of memory, too
 * many connections) — from PostgreSQL or PGlite, however many wrappers (drizzle's included)
 * it arrives in — or undefined for any other error.
 */
export function databaseFault(error: unknown): QunfaError | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    const fault = typeof code === 'string' ? RESOURCE_FAULTS[code] : undefined;
    if (fault)
      return new QunfaError('UNAVAILABLE', fault.message, { details: { reason: fault.reason }, cause: e });
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One WAL segment: PGlite's start (recovery, then a checkpoint) may need a new one. */
const START_ROOM_BYTES = 16 * 1024 * 1024;

/**
 * Why PGlite could not open `dataDir`, for the operator: PGlite itself only says "failed to
 * initialize properly". With less than a WAL segment free on the folder's disk (a disk that
 * filled up while the app ran) that is the cause: `UNAVAILABLE` (disk_full) says so, and
 * that freeing space and starting again is the fix — the data folder is left as it was.
 */
export function pgliteStartFault(dataDir: string, error: unknown): unknown {
  let free: number;
  try {
    const fs = statfsSync(dataDir);
    free = fs.bavail * fs.bsize;
  } catch {
    return error;
  }
  if (free >= START_ROOM_BYTES) return error;
  return new QunfaError(
    'UNAVAILABLE',
    `PGlite could not start in ${dataDir}: its disk has ${Math.floor(free / 1024)} KB free (it needs room for a 16 MB WAL segment). Nothing was changed: free space on that disk and start again`,
    { details: { reason: 'disk_full', dataDir, freeBytes: free }, cause: error },
  );
}
