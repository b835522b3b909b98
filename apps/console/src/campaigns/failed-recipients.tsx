import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { CampaignDeliveriesQuery } from './campaign-documents.js';

type Edge = NonNullable<ResultOf<typeof CampaignDeliveriesQuery>['campaign']>['deliveries']['edges'][number];

const PAGE = 20;

/** The failed recipients, a page at a time: who, on which channel and account, why. */
export function FailedRecipients({ campaignId, failed }: { campaignId: string; failed: number }) {
  const client = useClient();
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [edges, setEdges] = useState<Edge[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const result = await client
        .query(CampaignDeliveriesQuery, { id: campaignId, states: ['FAILED'], first: PAGE, after })
        .toPromise();
      setLoading(false);
      setError(result.error ?? null);
      const page = result.data?.campaign.deliveries;
      if (!page) return;
      setEdges((shown) => (after === null ? page.edges : [...shown, ...page.edges]));
      setNext(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    },
    [client, campaignId],
  );

  // Re-read the first page when the number of failures changes.
  useEffect(() => {
    if (failed > 0) void load(null);
  }, [failed, load]);

  if (failed === 0) return null;
  return (
    <div className="failed-recipients">
      <table className="table" data-testid="failed-recipients">
        <thead>
          <tr>
            <th>{t('failed.contact')}</th>
            <th>{t('failed.channel')}</th>
            <th>{t('failed.class')}</th>
            <th>{t('failed.at')}</th>
          </tr>
        </thead>
        <tbody>
          {edges.map(({ node }) => {
            const attempt = node.attempts.at(-1);
            return (
              <tr key={node.id} data-testid="failed-row">
                <td>{node.contactName ?? node.contactId}</td>
                <td>
                  {node.channel ?? '—'}
                  {attempt?.account ? <span className="muted"> · {attempt.account}</span> : null}
                </td>
                <td title={node.lastError ?? ''}>
                  {node.failureClass ? tx(`failure.${node.failureClass}`, node.failureClass) : '—'}
                  {node.resolution ? (
                    <span className="muted"> · {tx(`resolution.${node.resolution}`, node.resolution)}</span>
                  ) : null}
                </td>
                <td>{formatDateTime(node.updatedAt, locale, viewer.workspace.timeZone)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorNotice error={error} />
      {loading ? <Loading /> : null}
      {next && !loading ? (
        <button type="button" className="button" data-testid="failed-more" onClick={() => void load(next)}>
          {t('list.loadMore')}
        </button>
      ) : null}
    </div>
  );
}
