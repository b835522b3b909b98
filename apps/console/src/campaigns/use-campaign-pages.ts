import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { errorCodes } from '../graphql/error-code.js';
import type { ResultOf, VariablesOf } from '../graphql/graphql.js';
import type { PageInfo } from '../graphql/types.js';
import { appendEdges } from './append-edges.js';
import { CampaignsQuery } from './campaign-documents.js';

export const PAGE_SIZE = 20;

type Edge = ResultOf<typeof CampaignsQuery>['campaigns']['edges'][number];
type Filter = VariablesOf<typeof CampaignsQuery>['filter'];

export interface CampaignPages {
  edges: Edge[];
  pageInfo: PageInfo | null;
  loading: boolean;
  codes: string[];
  loadMore(): void;
}

/** The campaign list matching `filter`, one cursor page at a time, always read from the network. */
export function useCampaignPages(filter: Filter): CampaignPages {
  const client = useClient();
  // The filter by value: a new object with the same fields does not reload.
  const filterKey = JSON.stringify(filter ?? {});
  const [edges, setEdges] = useState<Edge[]>([]);
  const [pageInfo, setPageInfo] = useState<PageInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [codes, setCodes] = useState<string[]>([]);
  const generation = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      const id = generation.current;
      setLoading(true);
      const result = await client
        .query(
          CampaignsQuery,
          { first: PAGE_SIZE, after, filter: JSON.parse(filterKey) as Filter },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (id !== generation.current) return;
      setLoading(false);
      if (result.error || !result.data) {
        setCodes(errorCodes(result.error));
        return;
      }
      const { campaigns } = result.data;
      setCodes([]);
      setEdges((listed) => (after === null ? campaigns.edges : appendEdges(listed, campaigns.edges)));
      setPageInfo(campaigns.pageInfo);
    },
    [client, filterKey],
  );

  useEffect(() => {
    generation.current += 1;
    void load(null);
    return () => {
      generation.current += 1;
    };
  }, [load]);

  const loadMore = useCallback(() => {
    if (pageInfo?.hasNextPage && pageInfo.endCursor) void load(pageInfo.endCursor);
  }, [load, pageInfo]);

  return { edges, pageInfo, loading, codes, loadMore };
}
