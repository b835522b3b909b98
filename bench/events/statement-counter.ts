/*
 * SQL statements the API sends (drizzle's queries; BEGIN and COMMIT not counted): every drizzle
 * session of the app logs each query to a NoopLogger, counted here. Imported before the app is built.
 */
import { NoopLogger } from 'drizzle-orm/logger';

let count = 0;
/** BENCH_STATEMENTS=1: each leg also lists its most frequent statements (first 90 characters). */
const texts = process.env.BENCH_STATEMENTS ? new Map<string, number>() : undefined;
const logQuery = NoopLogger.prototype.logQuery;
NoopLogger.prototype.logQuery = function (this: NoopLogger, ...args: unknown[]) {
  count++;
  if (texts) {
    const text = String(args[0]).replace(/\s+/g, ' ').slice(0, 90);
    texts.set(text, (texts.get(text) ?? 0) + 1);
  }
  logQuery.call(this);
};

/** Statements sent since the process started. */
export const statementsSent = () => count;

/** With BENCH_STATEMENTS: the most frequent statements since the last call (then forgotten); else []. */
export function takeFrequentStatements(top: number): [string, number][] {
  if (!texts) return [];
  const out = [...texts].sort((a, b) => b[1] - a[1]).slice(0, top);
  texts.clear();
  return out;
}
