import type { CombinedError } from '@urql/core';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { ContactDeliveriesQuery } from './contact-documents.js';

type Edge = ResultOf<typeof ContactDeliveriesQuery>['contact']['deliveries']['edges'][number];

const PAGE = 20;

/** What reached the contact, newest first: campaign, channel, how it ended, what they answered; a page at a time. */
export function DeliveryHistory({ contactId }: { contactId: string }) {
  const client = useClient();
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const timeZone = viewer.workspace.timeZone;
  const [edges, setEdges] = useState<Edge[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      const result = await client
        .query(
          ContactDeliveriesQuery,
          { id: contactId, first: PAGE, after },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      setLoading(false);
      setError(result.error ?? null);
      const page = result.data?.contact.deliveries;
      if (!page) return;
      setEdges((shown) => (after === null ? page.edges : [...shown, ...page.edges]));
      setNext(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
      setLoaded(true);
    },
    [client, contactId],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  return (
    <section aria-labelledby="contact-history-title">
      <h2 id="contact-history-title">{t('history.title')}</h2>
      <ErrorNotice error={error} />
      {loaded && edges.length === 0 ? <p className="muted">{t('history.none')}</p> : null}
      {edges.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="contact-history">
            <thead>
              <tr>
                <th>{t('history.at')}</th>
                <th>{t('history.campaign')}</th>
                <th>{t('history.channel')}</th>
                <th>{t('history.outcome')}</th>
                <th>{t('history.replies')}</th>
              </tr>
            </thead>
            <tbody>
              {edges.map(({ node }) => (
                <tr key={node.id} data-testid="history-row" data-state={node.state}>
                  <td>{formatDateTime(node.updatedAt, locale, timeZone)}</td>
                  <td>
                    <Link to={paths.campaign(node.campaignId)}>{node.campaignName}</Link>
                  </td>
                  <td>{node.channel ?? '—'}</td>
                  <td>
                    {tx(`delivery.${node.state}`, node.state)}
                    {node.failureClass ? (
                      <span className="muted">
                        {' '}
                        · {tx(`failure.${node.failureClass}`, node.failureClass)}
                      </span>
                    ) : null}
                    {node.suppressionReason ? (
                      <span className="muted">
                        {' '}
                        · {tx(`suppression.${node.suppressionReason.toUpperCase()}`, node.suppressionReason)}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    {node.replies.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <ul className="history-replies">
                        {node.replies.map((r) => (
                          <li key={r.id} data-testid="history-reply">
                            <span className="muted">{formatDateTime(r.receivedAt, locale, timeZone)}</span>{' '}
                            {r.text}
                            {r.unsubscribed ? <strong> · {t('inbox.unsubscribed')}</strong> : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {loading ? <Loading /> : null}
      {next && !loading ? (
        <button type="button" className="button" data-testid="history-more" onClick={() => void load(next)}>
          {t('history.more')}
        </button>
      ) : null}
    </section>
  );
}
