import type { Counters } from '../graphql/types.js';
import { funnelOf } from './funnel.js';

/** One line of the per-channel table: reached, failed and still pending out of planned. */
export interface SenderFigures {
  planned: number;
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** Suppressed, filtered or uncertain: neither reached nor failed, nor moving. */
  other: number;
  settled: number;
}

export interface ChannelTotals {
  channel: string | null;
  figures: SenderFigures;
  accounts: { account: string | null; figures: SenderFigures }[];
}

/** The funnel's figures of one set of counters: `sent + failed + pending + other = planned`. */
export function figuresOf(c: Omit<Counters, 'failedByClass'>): SenderFigures {
  const { stages, side } = funnelOf(c);
  return {
    planned: c.total,
    sent: stages[1]!.count,
    delivered: stages[2]!.count,
    failed: side.failed,
    pending: side.pending,
    other: side.suppressed + side.filtered + side.uncertain,
    settled: c.settled,
  };
}

function add(a: SenderFigures, b: SenderFigures): SenderFigures {
  return {
    planned: a.planned + b.planned,
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    pending: a.pending + b.pending,
    other: a.other + b.other,
    settled: a.settled + b.settled,
  };
}

const ZERO: SenderFigures = {
  planned: 0,
  sent: 0,
  delivered: 0,
  failed: 0,
  pending: 0,
  other: 0,
  settled: 0,
};

/** Rows by channel (in the order given), each with its accounts: each channel is the sum of its accounts. */
export function channelTotals(
  rows: readonly { channel: string | null; account: string | null; counters: Counters }[],
): ChannelTotals[] {
  const byChannel = new Map<string | null, ChannelTotals>();
  for (const row of rows) {
    const figures = figuresOf(row.counters);
    const entry = byChannel.get(row.channel) ?? { channel: row.channel, figures: ZERO, accounts: [] };
    entry.figures = add(entry.figures, figures);
    entry.accounts.push({ account: row.account, figures });
    byChannel.set(row.channel, entry);
  }
  return [...byChannel.values()];
}
