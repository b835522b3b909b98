import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { CAMPAIGNS_HREF } from '../routing/route.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { AbTestPanel } from './ab-test-panel.js';
import { CampaignActionsBar } from './campaign-actions-bar.js';
import { CountersPanel } from './counters-panel.js';
import { MetricsPanel } from './metrics-panel.js';
import { ProgressBar } from './progress-bar.js';
import { StateBadge } from './state-badge.js';
import { useLiveCampaign } from './use-live-campaign.js';

/** One campaign, live: exact counters on open, then progress events. */
export function CampaignPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const { campaign, snapshot, codes, liveCodes, live, applyRead } = useLiveCampaign(id);
  const back = (
    <a className="back-link" href={CAMPAIGNS_HREF}>
      {t('campaign.back')}
    </a>
  );

  if (!campaign || !snapshot) {
    return (
      <section className="card" aria-busy={codes.length === 0}>
        {back}
        {codes.length === 0 ? <p className="muted">{t('list.loading')}</p> : <ErrorCodes codes={codes} />}
      </section>
    );
  }

  const { counters } = snapshot;
  const timeZone = viewer.workspace.timeZone;
  const times = [
    ['campaign.createdAt', campaign.createdAt],
    ['campaign.scheduledAt', campaign.scheduledAt],
    ['campaign.startedAt', campaign.startedAt],
    ['campaign.finishedAt', campaign.finishedAt],
  ] as const;

  return (
    <article className="campaign-page" aria-labelledby="campaign-title">
      {back}
      <header className="card campaign-header">
        <div className="campaign-header__title">
          <h1 id="campaign-title">{campaign.name}</h1>
          <StateBadge state={snapshot.state} />
          {live ? (
            <span className="live" data-testid="live-indicator">
              {t('campaign.live')}
            </span>
          ) : null}
        </div>
        <dl className="times">
          {times
            .filter(([, value]) => value)
            .map(([key, value]) => (
              <div key={key}>
                <dt>{t(key)}</dt>
                <dd>
                  <time dateTime={value!}>{formatDateTime(value, locale, timeZone)}</time>
                </dd>
              </div>
            ))}
        </dl>
        <ProgressBar
          settled={counters.settled}
          total={counters.total}
          label={t('campaign.progress')}
          testId="progress-bar"
        />
        <CampaignActionsBar campaignId={campaign.id} state={snapshot.state} onResult={applyRead} />
        <ErrorCodes codes={liveCodes} />
      </header>
      <div className="campaign-panels">
        <CountersPanel counters={counters} />
        <MetricsPanel metrics={snapshot.metrics} />
        {campaign.abTest ? (
          <AbTestPanel
            campaignId={campaign.id}
            abTest={campaign.abTest}
            settled={counters.settled}
            onResult={applyRead}
          />
        ) : null}
      </div>
    </article>
  );
}
