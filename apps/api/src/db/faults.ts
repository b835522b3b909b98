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
