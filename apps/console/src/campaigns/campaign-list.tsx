import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { campaignHref } from '../routing/route.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { ProgressBar } from './progress-bar.js';
import { StateBadge } from './state-badge.js';
import { useCampaignPages } from './use-campaign-pages.js';

/** The workspace's campaigns, newest first as the API orders them, with "load more". */
export function CampaignList() {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const { edges, pageInfo, loading, codes, loadMore } = useCampaignPages();

  return (
    <section className="card" aria-labelledby="campaign-list-title" aria-busy={loading}>
      <h1 id="campaign-list-title">{t('list.title')}</h1>
      <div className="campaign-grid campaign-grid--head" aria-hidden="true">
        <span>{t('list.name')}</span>
        <span>{t('list.state')}</span>
        <span>{t('list.progress')}</span>
        <span>{t('list.createdAt')}</span>
      </div>
      <ol className="campaign-list">
        {edges.map(({ node }) => (
          <li key={node.id} data-testid="campaign-row" data-campaign-id={node.id}>
            <a className="campaign-grid campaign-row" href={campaignHref(node.id)}>
              <span className="campaign-row__name">{node.name}</span>
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
            </a>
          </li>
        ))}
      </ol>
      {!loading && edges.length === 0 && codes.length === 0 ? (
        <p className="muted">{t('list.empty')}</p>
      ) : null}
      <ErrorCodes codes={codes} />
      <div className="list-footer">
        {loading ? <span className="muted">{t('list.loading')}</span> : null}
        {!loading && pageInfo?.hasNextPage ? (
          <button type="button" className="button" data-testid="load-more" onClick={loadMore}>
            {t('list.loadMore')}
          </button>
        ) : null}
      </div>
    </section>
  );
}
