import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery, useSubscription } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { InboundMessageReceivedSubscription, InboundMessagesQuery } from './inbox-documents.js';

type Message = ResultOf<typeof InboundMessagesQuery>['inboundMessages']['edges'][number]['node'];

/** Every reply as it arrived, newest first; new ones arrive live over the subscription. */
export function InboundMessages() {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({
    query: InboundMessagesQuery,
    variables: { first: 50, after },
  });
  const [live] = useSubscription<Message, Message[]>(
    { query: InboundMessageReceivedSubscription },
    (shown = [], next) => [
      (next as unknown as { inboundMessageReceived: Message }).inboundMessageReceived,
      ...shown,
    ],
  );
  const known = new Set((live.data ?? []).map((m) => m.id));
  const messages = [
    ...(live.data ?? []),
    ...(data?.inboundMessages.edges.map((e) => e.node) ?? []).filter((m) => !known.has(m.id)),
  ];
  return (
    <details className="card" data-testid="inbound-messages">
      <summary>{t('inbox.allMessages')}</summary>
      <ErrorNotice error={error ?? live.error ?? null} />
      {fetching ? <Loading /> : null}
      {!fetching && messages.length === 0 ? <p className="muted">{t('inbox.empty')}</p> : null}
      <div className="table-wrap">
        <table className="table" data-testid="inbox-table">
          <thead>
            <tr>
              <th>{t('inbox.receivedAt')}</th>
              <th>{t('inbox.from')}</th>
              <th>{t('inbox.text')}</th>
              <th>{t('inbox.campaign')}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-testid="inbox-row">
                <td>{formatDateTime(m.receivedAt, locale, viewer.workspace.timeZone)}</td>
                <td>
                  <Link to={paths.contact(m.contactId)}>{m.contact?.name ?? m.contactId}</Link>
                  <div className="muted">
                    {m.channel}
                    {m.account ? ` · ${m.account}` : ''}
                  </div>
                </td>
                <td>
                  {m.text}
                  {m.unsubscribed ? <strong> · {t('inbox.unsubscribed')}</strong> : null}
                </td>
                <td>{m.campaignId ? <Link to={paths.campaign(m.campaignId)}>#{m.campaignId}</Link> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data?.inboundMessages.pageInfo.hasNextPage ? (
        <button
          type="button"
          className="button"
          onClick={() => setAfter(data.inboundMessages.pageInfo.endCursor)}
        >
          {t('contacts.nextPage')}
        </button>
      ) : null}
    </details>
  );
}
