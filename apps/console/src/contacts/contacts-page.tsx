import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { useClient, useQuery } from 'urql';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { useDebounced } from '../ui/use-debounced.js';
import { ContactsQuery, CreateTagMutation, TagsAndSegmentsQuery } from './contact-documents.js';
import { ContactImport } from './contact-import.js';

const PAGE = 50;

/** Contacts filtered by tag and searched on the server by name or identity, paged; tags, segments and the CSV import beside. */
export function ContactsPage() {
  const { t, tx } = useI18n();
  const client = useClient();
  const [tagId, setTagId] = useState('');
  const [after, setAfter] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [newTag, setNewTag] = useState('');
  const [tagError, setTagError] = useState<CombinedError | null>(null);
  const searched = useDebounced(search.trim(), 300);
  const [contacts, refetchContacts] = useQuery({
    query: ContactsQuery,
    variables: { first: PAGE, after, tagId: tagId || null, search: searched || null },
  });
  const [meta, refetchMeta] = useQuery({ query: TagsAndSegmentsQuery });
  const refresh = () => {
    refetchContacts({ requestPolicy: 'network-only' });
    refetchMeta({ requestPolicy: 'network-only' });
  };
  const rows = contacts.data?.contacts.edges ?? [];
  const createTag = async () => {
    const result = await client.mutation(CreateTagMutation, { input: { name: newTag.trim() } }).toPromise();
    setTagError(result.error ?? null);
    if (!result.error) {
      setNewTag('');
      refetchMeta({ requestPolicy: 'network-only' });
    }
  };

  return (
    <div className="contacts">
      <section className="card" aria-labelledby="contacts-title">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
        <div className="filters">
          <select
            aria-label={t('contacts.tag')}
            value={tagId}
            data-testid="contacts-tag"
            onChange={(e) => {
              setTagId(e.target.value);
              setAfter(null);
            }}
          >
            <option value="">{t('contacts.allTags')}</option>
            {meta.data?.tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
          <input
            type="search"
            className="contacts__search"
            aria-label={t('contacts.search')}
            placeholder={t('contacts.search')}
            value={search}
            data-testid="contacts-search"
            onChange={(e) => {
              setSearch(e.target.value);
              setAfter(null);
            }}
          />
        </div>
        <ErrorNotice error={contacts.error ?? null} />
        {contacts.fetching ? <Loading /> : null}
        {!contacts.fetching && contacts.data && rows.length === 0 ? (
          <p className="muted" data-testid="contacts-none">
            {searched ? t('contacts.noMatch', { search: searched }) : t('contacts.none')}
          </p>
        ) : null}
        <div className="table-wrap">
          <table className="table" data-testid="contacts-table">
            <thead>
              <tr>
                <th>{t('contacts.name')}</th>
                <th>{t('contacts.identities')}</th>
                <th>{t('contacts.region')}</th>
                <th>{t('contacts.tags')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ node }) => (
                <tr key={node.id} data-testid="contact-row">
                  <td>
                    <Link to={paths.contact(node.id)}>{node.name ?? node.id}</Link>
                  </td>
                  <td>
                    {node.identities.map((i) => `${tx(`identity.${i.kind}`, i.kind)} ${i.value}`).join('，')}
                  </td>
                  <td>{[node.province, node.city].filter(Boolean).join(' ')}</td>
                  <td>{node.tags.map((tag) => tag.name).join('、')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="row">
          {after ? (
            <button type="button" className="button" onClick={() => setAfter(null)}>
              {t('contacts.firstPage')}
            </button>
          ) : null}
          {contacts.data?.contacts.pageInfo.hasNextPage ? (
            <button
              type="button"
              className="button"
              onClick={() => setAfter(contacts.data?.contacts.pageInfo.endCursor ?? null)}
            >
              {t('contacts.nextPage')}
            </button>
          ) : null}
        </div>
      </section>
      <ContactImport onFinished={refresh} />
      <section className="card" aria-labelledby="tags-title">
        <h2 id="tags-title">{t('contacts.tagsTitle')}</h2>
        <ErrorNotice error={meta.error ?? null} />
        <ul className="tag-tree" data-testid="tag-list">
          {meta.data?.tags.map((tag) => (
            <li key={tag.id}>
              {tag.name} <span className="muted">· {tag.kind}</span>
            </li>
          ))}
        </ul>
        <div className="row">
          <input
            aria-label={t('contacts.newTag')}
            placeholder={t('contacts.newTag')}
            value={newTag}
            onChange={(e) => setNewTag(e.target.value)}
          />
          <button type="button" className="button" disabled={!newTag.trim()} onClick={() => void createTag()}>
            {t('contacts.createTag')}
          </button>
        </div>
        <ErrorNotice error={tagError} />
        <h2>{t('contacts.segments')}</h2>
        {meta.data?.segments.length === 0 ? <p className="muted">{t('contacts.noSegments')}</p> : null}
        <ul>
          {meta.data?.segments.map((s) => (
            <li key={s.id}>
              {s.name} <code className="muted">{JSON.stringify(s.audience)}</code>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
