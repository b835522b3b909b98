import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import {
  ContactQuery,
  EraseContactMutation,
  MergeContactsMutation,
  TagContactsMutation,
  TagsAndSegmentsQuery,
  UntagContactsMutation,
} from './contact-documents.js';
import { DeliveryHistory } from './delivery-history.js';

/** A contact: identities, attributes, tags (add / remove), delivery history, replies; erase or merge after a confirmation. */
export function ContactPage() {
  const { id = '' } = useParams();
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const client = useClient();
  const navigate = useNavigate();
  const [{ data, error, fetching }, refetch] = useQuery({ query: ContactQuery, variables: { id } });
  const [tags] = useQuery({ query: TagsAndSegmentsQuery });
  const [addTag, setAddTag] = useState('');
  const [mergeFrom, setMergeFrom] = useState('');
  const [actionError, setActionError] = useState<CombinedError | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const run = async (promise: Promise<{ error?: CombinedError | undefined }>, after: () => void) => {
    const result = await promise;
    setActionError(result.error ?? null);
    if (!result.error) after();
  };

  if (error) return <ErrorNotice error={error} />;
  if (!data) return fetching ? <Loading /> : null;
  const c = data.contact;
  const timeZone = viewer.workspace.timeZone;
  return (
    <article className="card" aria-labelledby="contact-title" data-testid="contact-detail">
      <Link className="back-link" to={paths.contacts}>
        {t('contacts.back')}
      </Link>
      <h1 id="contact-title">{c.name ?? c.id}</h1>
      <dl className="times">
        {c.identities.map((i) => (
          <div key={`${i.kind}:${i.value}`}>
            <dt>{tx(`identity.${i.kind}`, i.kind)}</dt>
            <dd>{i.value}</dd>
          </div>
        ))}
        <div>
          <dt>{t('contacts.region')}</dt>
          <dd>{[c.province, c.city, c.district].filter(Boolean).join(' ') || '—'}</dd>
        </div>
        <div>
          <dt>{t('contacts.lastActive')}</dt>
          <dd>{formatDateTime(c.lastActiveAt, locale, timeZone)}</dd>
        </div>
      </dl>
      <h2>{t('contacts.attributes')}</h2>
      <pre className="muted">{JSON.stringify(c.attributes, null, 2)}</pre>
      <h2>{t('contacts.tags')}</h2>
      <ul className="row">
        {c.tags.map((tag) => (
          <li key={tag.id} className="chip">
            {tag.name}{' '}
            <button
              type="button"
              className="button button--ghost"
              aria-label={t('contacts.untag', { tag: tag.name })}
              onClick={() =>
                void run(
                  client.mutation(UntagContactsMutation, { contactIds: [c.id], tagId: tag.id }).toPromise(),
                  reload,
                )
              }
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <select aria-label={t('contacts.addTag')} value={addTag} onChange={(e) => setAddTag(e.target.value)}>
          <option value="">{t('contacts.addTag')}</option>
          {tags.data?.tags
            .filter((tag) => !c.tags.some((x) => x.id === tag.id))
            .map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={!addTag}
          onClick={() =>
            void run(
              client.mutation(TagContactsMutation, { contactIds: [c.id], tagId: addTag }).toPromise(),
              () => {
                setAddTag('');
                reload();
              },
            )
          }
        >
          {t('contacts.tagIt')}
        </button>
      </div>
      <DeliveryHistory contactId={c.id} />
      <h2>{t('contacts.replies')}</h2>
      {data.inboundMessages.edges.length === 0 ? <p className="muted">{t('contacts.noReplies')}</p> : null}
      <ul>
        {data.inboundMessages.edges.map(({ node }) => (
          <li key={node.id}>
            {formatDateTime(node.receivedAt, locale, timeZone)} · {node.channel} · {node.text}
            {node.unsubscribed ? <strong> · {t('inbox.unsubscribed')}</strong> : null}
          </li>
        ))}
      </ul>
      <h2>{t('contacts.dangerZone')}</h2>
      <div className="row">
        <input
          aria-label={t('contacts.mergeFrom')}
          placeholder={t('contacts.mergeFrom')}
          value={mergeFrom}
          onChange={(e) => setMergeFrom(e.target.value)}
        />
        <ConfirmButton
          label={t('contacts.merge')}
          title={t('contacts.mergeTitle')}
          disabled={!mergeFrom.trim()}
          testId="contact-merge"
          onConfirm={() =>
            void run(
              client
                .mutation(MergeContactsMutation, {
                  from: mergeFrom.split(/[,\s]+/).filter(Boolean),
                  into: c.id,
                })
                .toPromise(),
              () => {
                setMergeFrom('');
                reload();
              },
            )
          }
        >
          <p>{t('contacts.mergeBody', { from: mergeFrom, into: c.name ?? c.id })}</p>
        </ConfirmButton>
        <ConfirmButton
          label={t('contacts.erase')}
          title={t('contacts.eraseTitle')}
          danger
          testId="contact-erase"
          onConfirm={() =>
            void run(client.mutation(EraseContactMutation, { id: c.id }).toPromise(), () =>
              navigate(paths.contacts),
            )
          }
        >
          <p>{t('contacts.eraseBody')}</p>
        </ConfirmButton>
      </div>
      <ErrorNotice error={actionError} />
    </article>
  );
}
