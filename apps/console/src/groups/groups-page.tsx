import { useState } from 'react';
import { useClient, useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatMetricValue } from '../campaigns/progress.js';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { useDebounced } from '../ui/use-debounced.js';
import { CustomerGroupsQuery, TagCustomerGroupsMutation } from './group-documents.js';

const PAGE = 50;
const HEALTH = ['UNHEALTHY', 'HEALTHY', 'UNKNOWN'] as const;
type Health = (typeof HEALTH)[number];
type Group = ResultOf<typeof CustomerGroupsQuery>['customerGroups']['edges'][number]['node'];

function flagOf(healthy: boolean | null): 'healthy' | 'unhealthy' | 'unknown' {
  return healthy === null ? 'unknown' : healthy ? 'healthy' : 'unhealthy';
}

/**
 * WeCom customer groups (客户群), a target of their own: owner, members, this month's joins,
 * leaves and 退群率, a health flag with the metric that raised it, when a sync last saw them;
 * filtered by owner, name, tag and health; the selected ones can be tagged for an audience.
 */
export function GroupsPage() {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const client = useClient();
  const [owner, setOwner] = useState('');
  const [name, setName] = useState('');
  const [tagId, setTagId] = useState('');
  const [health, setHealth] = useState<Health | ''>('');
  const [after, setAfter] = useState<string | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [tagTo, setTagTo] = useState('');
  const [tagged, setTagged] = useState<number | null>(null);
  const [tagError, setTagError] = useState<Parameters<typeof ErrorNotice>[0]['error']>(null);
  const ownerText = useDebounced(owner.trim(), 300);
  const nameText = useDebounced(name.trim(), 300);
  const [result, refetch] = useQuery({
    query: CustomerGroupsQuery,
    variables: {
      first: PAGE,
      after,
      owners: ownerText ? ownerText.split(/[,，\s]+/).filter(Boolean) : null,
      nameContains: nameText || null,
      tagId: tagId || null,
      health: health || null,
    },
  });
  const rows = result.data?.customerGroups.edges ?? [];
  const tags = result.data?.tags ?? [];
  const month = rows[0]?.node.health.month;
  const filtered = Boolean(ownerText || nameText || tagId || health);
  const reset = () => setAfter(null);
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const tagSelected = async () => {
    const res = await client
      .mutation(TagCustomerGroupsMutation, { tagId: tagTo, groupIds: [...selected] })
      .toPromise();
    setTagError(res.error ?? null);
    if (!res.error) {
      setTagged(res.data?.tagCustomerGroups ?? 0);
      setSelected(new Set());
      refetch({ requestPolicy: 'network-only' });
    }
  };
  const reasonText = (g: Group) =>
    g.health.reasons
      .map((r) =>
        t('groups.reason', {
          label: tx(r.metric, r.label),
          value: formatMetricValue(r.value, r.unit),
          alarm: formatMetricValue(r.alarm, r.unit),
        }),
      )
      .join('；');

  return (
    <div className="groups">
      <section className="card" aria-labelledby="groups-title">
        <h1 id="groups-title">{t('groups.title')}</h1>
        <p className="muted">{t('groups.intro')}</p>
        <div className="filters">
          <input
            type="search"
            aria-label={t('groups.ownerFilter')}
            placeholder={t('groups.ownerFilter')}
            value={owner}
            data-testid="groups-owner"
            onChange={(e) => {
              setOwner(e.target.value);
              reset();
            }}
          />
          <input
            type="search"
            aria-label={t('groups.nameFilter')}
            placeholder={t('groups.nameFilter')}
            value={name}
            data-testid="groups-name"
            onChange={(e) => {
              setName(e.target.value);
              reset();
            }}
          />
          <select
            aria-label={t('groups.tag')}
            value={tagId}
            data-testid="groups-tag"
            onChange={(e) => {
              setTagId(e.target.value);
              reset();
            }}
          >
            <option value="">{t('groups.allTags')}</option>
            {tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
          <select
            aria-label={t('groups.health')}
            value={health}
            data-testid="groups-health"
            onChange={(e) => {
              setHealth(e.target.value as Health | '');
              reset();
            }}
          >
            <option value="">{`${t('groups.health')}：${t('groups.health.all')}`}</option>
            {HEALTH.map((h) => (
              <option key={h} value={h}>
                {t(`groups.health.${h}`)}
              </option>
            ))}
          </select>
        </div>
        {month ? <p className="muted">{t('groups.month', { month })}</p> : null}
        <ErrorNotice error={result.error ?? null} />
        {result.fetching ? <Loading /> : null}
        {!result.fetching && result.data && rows.length === 0 ? (
          <p className="muted" data-testid="groups-none">
            {filtered ? t('groups.noMatch') : t('groups.none')}
          </p>
        ) : null}
        <div className="table-wrap">
          <table className="table" data-testid="groups-table">
            <thead>
              <tr>
                <th>
                  <span className="visually-hidden">{t('groups.selectColumn')}</span>
                </th>
                <th>{t('groups.name')}</th>
                <th>{t('groups.owner')}</th>
                <th className="num">{t('groups.members')}</th>
                <th className="num">{t('groups.joins')}</th>
                <th className="num">{t('groups.leaves')}</th>
                <th className="num">{t('groups.quitRate')}</th>
                <th>{t('groups.health')}</th>
                <th>{t('groups.tags')}</th>
                <th>{t('groups.lastSynced')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ node: g }) => {
                const flag = flagOf(g.health.healthy);
                return (
                  <tr key={g.id} data-testid="group-row" data-chat-id={g.chatId} data-health={flag}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('groups.select', { name: g.name ?? g.chatId })}
                        checked={selected.has(g.id)}
                        onChange={() => toggle(g.id)}
                      />
                    </td>
                    <td>
                      {g.name ?? g.chatId}
                      <div className="muted">
                        <code>{g.chatId}</code>
                      </div>
                    </td>
                    <td>{g.owner ?? '—'}</td>
                    <td className="num" data-testid="group-members">
                      {g.memberCount === null ? '—' : n(g.memberCount)}
                    </td>
                    <td className="num">{g.health.joins === null ? '—' : n(g.health.joins)}</td>
                    <td className="num">{g.health.leaves === null ? '—' : n(g.health.leaves)}</td>
                    <td className="num" data-testid="group-quit-rate">
                      {formatMetricValue(g.health.quitRate, 'percent')}
                    </td>
                    <td>
                      <span className={`badge badge--health-${flag}`} data-testid="group-health">
                        {t(`groups.flag.${flag}`)}
                      </span>
                      {g.health.reasons.length > 0 ? (
                        <div className="group-reason" data-testid="group-reason">
                          {reasonText(g)}
                        </div>
                      ) : null}
                    </td>
                    <td>{g.tags.map((tag) => tag.name).join('、')}</td>
                    <td>
                      {g.lastSyncedAt
                        ? formatDateTime(g.lastSyncedAt, locale, viewer.workspace.timeZone)
                        : t('groups.never')}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div className="row">
          {after ? (
            <button type="button" className="button" onClick={() => setAfter(null)}>
              {t('groups.firstPage')}
            </button>
          ) : null}
          {result.data?.customerGroups.pageInfo.hasNextPage ? (
            <button
              type="button"
              className="button"
              onClick={() => setAfter(result.data?.customerGroups.pageInfo.endCursor ?? null)}
            >
              {t('groups.nextPage')}
            </button>
          ) : null}
        </div>
        <div className="row">
          <select
            aria-label={t('groups.tagSelected')}
            value={tagTo}
            data-testid="groups-tag-to"
            onChange={(e) => setTagTo(e.target.value)}
          >
            <option value="">{t('groups.chooseTag')}</option>
            {tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button"
            data-testid="groups-tag-selected"
            disabled={!tagTo || selected.size === 0}
            onClick={() => void tagSelected()}
          >
            {t('groups.tagSelected')}
          </button>
          {tagged !== null ? (
            <span className="muted" data-testid="groups-tagged">
              {t('groups.tagged', { count: tagged })}
            </span>
          ) : null}
        </div>
        <ErrorNotice error={tagError} />
      </section>
    </div>
  );
}
