import { Link, useSearchParams } from 'react-router';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { Loading } from '../ui/error-notice.js';
import { ListFilterBar } from './list-filter-bar.js';
import { campaignFilterOf, filtersOf, isFiltered, type ListFilters, paramsOf } from './list-filters.js';
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

const LEVELS = ['BLOCK', 'REVISE', 'WARN'] as const;

/**
 * A campaign not started yet: its audience counted now, and the findings of its last check
 * still open (an override settles one), by level.
 */
function DraftSummary({
  audience,
  findings,
}: {
  audience: { sendable: number; suppressedTotal: number };
  findings: readonly { level: string; override: { at: string } | null }[];
}) {
  const { t, tx, n } = useI18n();
  const open = findings.filter((f) => f.override === null);
  return (
    <span className="draft-summary" data-testid="draft-summary">
      <span data-testid="draft-audience" data-sendable={audience.sendable}>
        {t('list.audience', { count: n(audience.sendable) })}
        {audience.suppressedTotal > 0 ? (
          <span className="muted">
            {t('list.audienceSuppressed', { count: n(audience.suppressedTotal) })}
          </span>
        ) : null}
      </span>
      {LEVELS.map((level) => {
        const count = open.filter((f) => f.level === level).length;
        return count > 0 ? (
          <span
            key={level}
            className={`chip level--${level.toLowerCase()}`}
            data-testid={`draft-findings-${level}`}
            data-count={count}
            title={t('list.findings')}
          >
            {tx(`level.${level}`, level)} × {n(count)}
          </span>
        ) : null;
      })}
    </span>
  );
}

/** The workspace's campaigns, newest first, filtered on the server by the URL's filters, with "load more". */
export function CampaignList() {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [params, setParams] = useSearchParams();
  const filters = filtersOf(params);
  const timeZone = viewer.workspace.timeZone;
  const { edges, pageInfo, loading, codes, loadMore } = useCampaignPages(campaignFilterOf(filters, timeZone));
  const setFilter = (change: Partial<ListFilters>) =>
    setParams(paramsOf({ ...filters, ...change }), { replace: true });
  const filtered = isFiltered(filters);

  return (
    <section className="card" aria-labelledby="campaign-list-title" aria-busy={loading}>
      <div className="screen-head">
        <h1 id="campaign-list-title">{t('list.title')}</h1>
        <Link className="button button--primary" to={paths.newCampaign} data-testid="new-campaign">
          {t('list.new')}
        </Link>
      </div>
      <ListFilterBar filters={filters} onChange={setFilter} states={STATES} />
      <div className="campaign-grid campaign-grid--head" aria-hidden="true">
        <span>{t('list.name')}</span>
        <span>{t('list.state')}</span>
        <span>{t('list.progress')}</span>
        <span>{t('list.createdAt')}</span>
      </div>
      <ol className="campaign-list">
        {edges.map(({ node }) => (
          <li key={node.id} data-testid="campaign-row" data-campaign-id={node.id}>
            <Link className="campaign-grid campaign-row" to={paths.campaign(node.id)}>
              <span className="campaign-row__name">
                {node.name}
                <span className="muted campaign-row__meta">
                  {node.channelPlan.map((s) => s.channel.replace(/^channel:/, '')).join(' → ')}
                  {node.resendOf ? ` · ${t('campaign.resendOf')} ${node.resendOf.name}` : ''}
                  {node.runOf?.template ? ` · ${t('campaign.runOf')} ${node.runOf.template.name}` : ''}
                  {node.createdBy ? (
                    <span data-testid="campaign-creator">
                      {' · '}
                      {t('list.by', { name: node.createdBy.memberName ?? node.createdBy.keyName })}
                    </span>
                  ) : null}
                </span>
              </span>
              <span>
                <StateBadge state={node.state} />
              </span>
              {node.audiencePreview ? (
                <DraftSummary audience={node.audiencePreview} findings={node.findings} />
              ) : (
                <ProgressBar
                  settled={node.counters.settled}
                  total={node.counters.total}
                  label={t('list.progress')}
                  compact
                />
              )}
              <time dateTime={node.createdAt} className="muted">
                {formatDateTime(node.createdAt, locale, viewer.workspace.timeZone)}
              </time>
            </Link>
          </li>
        ))}
      </ol>
      {!loading && edges.length === 0 && codes.length === 0 ? (
        <p className="muted" data-testid="list-empty">
          {filtered ? t('list.noMatch') : t('list.empty')}
        </p>
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
