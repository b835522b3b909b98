import type { PluginState } from '@qunfa/core';
import type { CustomerCap } from './options.js';

/** The cap's current period in China time (UTC+8): its key, start and end, and how many messages it allows. */
export function capPeriod(
  cap: CustomerCap,
  now: Date,
): { key: string; limit: number; start: Date; end: Date } {
  const china = new Date(now.getTime() + 8 * 3600_000);
  const y = china.getUTCFullYear();
  const m = china.getUTCMonth();
  const d = china.getUTCDate();
  const toUtc = (ms: number) => new Date(ms - 8 * 3600_000);
  if (cap === 'day-1')
    return {
      key: `d${china.toISOString().slice(0, 10)}`,
      limit: 1,
      start: toUtc(Date.UTC(y, m, d)),
      end: toUtc(Date.UTC(y, m, d + 1)),
    };
  if (cap === 'week-7') {
    const monday = d - ((china.getUTCDay() + 6) % 7);
    return {
      key: `w${new Date(Date.UTC(y, m, monday)).toISOString().slice(0, 10)}`,
      limit: 7,
      start: toUtc(Date.UTC(y, m, monday)),
      end: toUtc(Date.UTC(y, m, monday + 7)),
    };
  }
  const days = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return {
    key: `m${china.toISOString().slice(0, 7)}`,
    limit: days,
    start: toUtc(Date.UTC(y, m, 1)),
    end: toUtc(Date.UTC(y, m + 1, 1)),
  };
}

const useKey = (period: string, external: string) => `cap/${period}/${external}`;

/**
 * Records results of the period for these customers: `one` more message each (a result 1), or
 * `full` (a result 3: WeCom counts what other tools sent too). Kept a day past the period.
 */
export async function recordCap(
  state: PluginState,
  cap: CustomerCap,
  externals: readonly string[],
  now: Date,
  what: 'one' | 'full',
) {
  const period = capPeriod(cap, now);
  const ttl = period.end.getTime() - now.getTime() + 24 * 3600_000;
  for (const external of externals) {
    const used =
      what === 'full' ? period.limit : ((await state.get<number>(useKey(period.key, external))) ?? 0) + 1;
    await state.set(useKey(period.key, external), used, ttl);
  }
}

/** Before a start: how many of these customers the cap would drop (already at the period's limit). */
export async function capPreview(
  state: PluginState,
  cap: CustomerCap,
  externals: readonly string[],
  now: Date,
): Promise<{ period: string; limit: number; customers: number; atCap: number }> {
  const period = capPeriod(cap, now);
  let atCap = 0;
  // Read in parallel slices: a preview of 10,000 customers is 50 waves, not 10,000 round trips.
  const SLICE = 200;
  for (let i = 0; i < externals.length; i += SLICE) {
    const used = await Promise.all(
      externals.slice(i, i + SLICE).map((e) => state.get<number>(useKey(period.key, e))),
    );
    atCap += used.filter((n) => (n ?? 0) >= period.limit).length;
  }
  return { period: period.key, limit: period.limit, customers: externals.length, atCap };
}
