import type { Counters } from '../graphql/types.js';

/** The stages a person reads as a funnel; each includes those that went further. */
export interface FunnelStage {
  stage: 'planned' | 'sent' | 'delivered' | 'read' | 'clicked';
  count: number;
}

/** Recipients who did not go down the funnel (yet), beside it; `pending` is still moving. */
export interface FunnelSide {
  pending: number;
  failed: number;
  suppressed: number;
  filtered: number;
  uncertain: number;
}

export interface Funnel {
  stages: FunnelStage[];
  side: FunnelSide;
}

/**
 * The funnel from counters that count each recipient once, in its current state: "sent"
 * includes the delivered, read and clicked; "delivered" the read and clicked; "read" the clicked.
 * Every recipient is then either in the sent stage or in exactly one of the side figures,
 * so `sent + pending + failed + suppressed + filtered + uncertain = planned`.
 */
export function funnelOf(c: Omit<Counters, 'failedByClass'>): Funnel {
  const clicked = c.clicked;
  const read = c.read + clicked;
  const delivered = c.delivered + read;
  const sent = c.sent + delivered;
  return {
    stages: [
      { stage: 'planned', count: c.total },
      { stage: 'sent', count: sent },
      { stage: 'delivered', count: delivered },
      { stage: 'read', count: read },
      { stage: 'clicked', count: clicked },
    ],
    side: {
      pending: c.waiting + c.queued + c.submitted + c.awaitingConfirmation,
      failed: c.failed,
      suppressed: c.suppressed,
      filtered: c.filtered,
      uncertain: c.uncertain,
    },
  };
}

/** A stage's share of the planned recipients, 0–1; null for an empty campaign. */
export function shareOfPlanned(count: number, planned: number): number | null {
  return planned > 0 ? count / planned : null;
}
