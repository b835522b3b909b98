import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import {
  type BatchRow,
  CampaignBreakdownQuery,
  type ChannelQuotaRow,
  type OpensRow,
  type SenderRow,
} from './breakdown-documents.js';

/** Batches shown at first, and added by each "more". */
export const BATCH_PAGE = 50;
/** The most batches re-read live: each carries its counters, and the API weighs every page it reads. */
export const MAX_BATCHES = 200;
/** The breakdown is re-read at most this often while the counters move. */
const REFRESH_MS = 1500;

export interface CampaignBreakdown {
  senders: SenderRow[] | null;
  /** Every loaded channel's quota today, and its accounts'. */
  quotas: ChannelQuotaRow[];
  /** Opens per channel, and whether the campaign's e-mail carries the open pixel. */
  opens: { rows: OpensRow[]; openPixel: boolean };
  batches: BatchRow[];
  hasMore: boolean;
  loadMore(): void;
  error: CombinedError | null;
}

/**
 * Per-sender counters and the batch timeline, re-read (throttled) whenever the live counters
 * or the state change, so they move with the funnel without a query per progress event.
 */
export function useCampaignBreakdown(id: string, version: string): CampaignBreakdown {
  const client = useClient();
  const [limit, setLimit] = useState(BATCH_PAGE);
  const [senders, setSenders] = useState<SenderRow[] | null>(null);
  const [quotas, setQuotas] = useState<ChannelQuotaRow[]>([]);
  const [opens, setOpens] = useState<{ rows: OpensRow[]; openPixel: boolean }>({
    rows: [],
    openPixel: false,
  });
  const [batches, setBatches] = useState<BatchRow[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  const lastRead = useRef(0);

  const read = useCallback(async () => {
    lastRead.current = Date.now();
    const result = await client
      .query(CampaignBreakdownQuery, { id, first: limit }, { requestPolicy: 'network-only' })
      .toPromise();
    setError(result.error ?? null);
    if (result.data) setQuotas(result.data.channels);
    const campaign = result.data?.campaign;
    if (!campaign) return;
    setSenders(campaign.bySender);
    setOpens({ rows: campaign.opens, openPixel: campaign.openPixel });
    setBatches(campaign.batches.edges.map((e) => e.node));
    setHasMore(campaign.batches.pageInfo.hasNextPage);
  }, [client, id, limit]);

  // `version` changes with the counters and state: read now, or when the throttle allows.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the trigger
  useEffect(() => {
    const wait = Math.max(0, lastRead.current + REFRESH_MS - Date.now());
    const timer = setTimeout(() => void read(), wait);
    return () => clearTimeout(timer);
  }, [read, version]);

  return {
    senders,
    quotas,
    opens,
    batches,
    hasMore: hasMore && limit < MAX_BATCHES,
    loadMore: () => setLimit((n) => Math.min(MAX_BATCHES, n + BATCH_PAGE)),
    error,
  };
}
