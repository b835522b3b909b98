import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { Loading } from '../ui/error-notice.js';
import { ProgressBar } from './progress-bar.js';
import { StateBadge } from './state-badge.js';
import { useCampaignPages } from './use-campaign-pages.js';

const STATES: readonly CampaignState[] = [
  'DRAFT',
  'IN_REVIEW',
  'APPROVED',
  'SCHEDULED',
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'CANCELLED',
  'FAILED',
];

/** The workspace's campaigns, newest first, filtered by state and name, with "load more". */
export function CampaignList() {
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const { edges, pageInfo, loading, codes, loadMore } = useCampaignPages();
  const [state, setState] = useState<CampaignState | ''>('');
  const [search, setSearch] = useState('');
  const stateId = useId();
  const searchId = useId();
  const needle = search.trim().toLowerCase();
  const shown = edges.filter(
    ({ node }) =>
      (state === '' || node.state === state) && (needle === '' || node.name.toLowerCase().includes(needle)),
  );

  return (
    <section className="card" aria-labelledby="campaign-list-title" aria-busy={loading}>
      <div className="screen-head">
        <h1 id="campaign-list-title">{t('list.title')}</h1>
        <Link className="button button--primary" to={paths.newCampaign} data-testid="new-campaign">
          {t('list.new')}
        </Link>
      </div>
      <div className="filters">
        <label htmlFor={stateId}>{t('list.filterState')}</label>
        <select
          id={stateId}
          value={state}
          data-testid="filter-state"
          onChange={(e) => setState(e.target.value as CampaignState | '')}
        >
          <option value="">{t('list.filterAll')}</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {tx(`state.${s}`, s)}
            </option>
          ))}
        </select>
        <label htmlFor={searchId} className="visually-hidden">
          {t('list.search')}
        </label>
        <input
          id={searchId}
          type="search"
          placeholder={t('list.search')}
          value={search}
          data-testid="filter-search"
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <div className="campaign-grid campaign-grid--head" aria-hidden="true">
        <span>{t('list.name')}</span>
        <span>{t('list.state')}</span>
        <span>{t('list.progress')}</span>
        <span>{t('list.createdAt')}</span>
      </div>
      <ol className="campaign-list">
        {shown.map(({ node }) => (
          <li key={node.id} data-testid="campaign-row" data-campaign-id={node.id}>
            <Link className="campaign-grid campaign-row" to={paths.campaign(node.id)}>
              <span className="campaign-row__name">
                {node.name}
                <span className="muted campaign-row__meta">
                  {node.channelPlan.map((s) => s.channel.replace(/^channel:/, '')).join(' → ')}
                  {node.resendOf ? ` · ${t('campaign.resendOf')} ${node.resendOf.name}` : ''}
                  {node.runOf?.template ? ` · ${t('campaign.runOf')} ${node.runOf.template.name}` : ''}
                </span>
              </span>
              <span>
                <StateBadge state={node.state} />
              </span>
              <ProgressBar
                settled={node.counters.settled}
                total={node.counters.total}
                label={t('list.progress')}
                compact
              />
              <time dateTime={node.createdAt} className="muted">
                {formatDateTime(node.createdAt, locale, viewer.workspace.timeZone)}
              </time>
            </Link>
          </li>
        ))}
      </ol>
      {!loading && edges.length === 0 && codes.length === 0 ? (
        <p className="muted">{t('list.empty')}</p>
      ) : null}
      {!loading && edges.length > 0 && shown.length === 0 ? (
        <p className="muted">{t('list.noMatch')}</p>
      ) : null}
      <ErrorCodes codes={codes} />
      <div className="list-footer">
        {loading ? <Loading /> : null}
        {!loading && pageInfo?.hasNextPage ? (
          <button type="button" className="button" data-testid="load-more" onClick={loadMore}>
            {t('list.loadMore')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
