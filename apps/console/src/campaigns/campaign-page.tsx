import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { Loading } from '../ui/error-notice.js';
import { useNow } from '../ui/use-now.js';
import { AbTestPanel } from './ab-test-panel.js';
import { BatchTimeline } from './batch-timeline.js';
import { isTerminal } from './campaign-actions.js';
import { CampaignActionsBar } from './campaign-actions-bar.js';
import { CampaignQuery } from './campaign-documents.js';
import { CountersPanel } from './counters-panel.js';
import { FailuresPanel } from './failures-panel.js';
import { addSample, estimateFinish, type ProgressSample } from './finish-estimate.js';
import { FinishTime } from './finish-time.js';
import { FunnelPanel } from './funnel-panel.js';
import { MetricsPanel } from './metrics-panel.js';
import { OaJobsPanel } from './oa-jobs-panel.js';
import { OpensPanel } from './opens-panel.js';
import { PlatformCapsPanel } from './platform-caps-panel.js';
import { ProgressBar } from './progress-bar.js';
import { ProgressChart } from './progress-chart.js';
import { SendersPanel } from './senders-panel.js';
import { StateBadge } from './state-badge.js';
import { useCampaignBreakdown } from './use-campaign-breakdown.js';
import { useLiveCampaign } from './use-live-campaign.js';
import { isMoving } from './waiting-mood.js';
import { WaitingPanel } from './waiting-panel.js';
import { WecomTasksPanel } from './wecom-tasks-panel.js';

/** States before a start: the platform caps are what the operator weighs before starting. */
const NOT_STARTED = new Set(['DRAFT', 'IN_REVIEW', 'APPROVED', 'SCHEDULED']);

export function CampaignRoute() {
  const { id = '' } = useParams();
  return <CampaignPage key={id} id={id} />;
}

/** One campaign, live: exact counters on open, then progress events. */
export function CampaignPage({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const { campaign, snapshot, codes, liveCodes, live, applyRead } = useLiveCampaign(id);
  const client = useClient();
  // The campaign as the database has it now, for changes no progress event announces.
  const rereadCampaign = useCallback(() => {
    void client
      .query(CampaignQuery, { id }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((r) => r.data?.campaign && applyRead(r.data.campaign));
  }, [client, id, applyRead]);
  const [samples, setSamples] = useState<ProgressSample[]>([]);
  // Re-read while running, so a campaign that stops settling stops counting as sending.
  const nowMs = useNow(5_000, snapshot?.state === 'RUNNING');
  const settled = snapshot?.counters.settled;
  const breakdown = useCampaignBreakdown(
    id,
    snapshot
      ? `${snapshot.state}:${snapshot.counters.settled}:${snapshot.counters.total}:${snapshot.counters.delivered}:${snapshot.counters.failed}:${snapshot.counters.awaitingConfirmation}`
      : '',
  );
  useEffect(() => {
    if (settled !== undefined) setSamples((s) => addSample(s, { atMs: Date.now(), settled }));
  }, [settled]);

  const back = (
    <Link className="back-link" to={paths.campaigns}>
      {t('campaign.back')}
    </Link>
  );
  if (!campaign || !snapshot) {
    return (
      <section className="card" aria-busy={codes.length === 0}>
        {back}
        {codes.length === 0 ? <Loading /> : <ErrorCodes codes={codes} />}
      </section>
    );
  }

  const { counters, state, waiting } = snapshot;
  const timeZone = viewer.workspace.timeZone;
  const times = [
    ['campaign.createdAt', campaign.createdAt],
    ['campaign.scheduledAt', campaign.scheduledAt],
    ['campaign.startedAt', campaign.startedAt],
    ['campaign.finishedAt', campaign.finishedAt],
  ] as const;
  const estimate = estimateFinish(samples, counters.total, {
    ended: isTerminal(state),
    // A campaign that ended while the page was open has no finishedAt until it is read again.
    finishedAtMs: campaign.finishedAt ? Date.parse(campaign.finishedAt) : (samples.at(-1)?.atMs ?? null),
    waitUntilMs: waiting.flatMap((w) => (w.until ? [Date.parse(w.until)] : [])),
    nowMs: Date.now(),
  });
  const decisionPending = campaign.abTest?.phase === 'AWAITING_DECISION';
  const abPanel = campaign.abTest ? (
    <AbTestPanel
      campaignId={campaign.id}
      abTest={campaign.abTest}
      settled={counters.settled}
      onResult={applyRead}
    />
  ) : null;

  return (
    <article className="campaign-page" aria-labelledby="campaign-title">
      {back}
      <header className="card campaign-header">
        <div className="campaign-header__title">
          <h1 id="campaign-title">{campaign.name}</h1>
          <StateBadge state={state} />
          {live ? (
            <span className="live" data-testid="live-indicator">
              {t('campaign.live')}
            </span>
          ) : null}
        </div>
        {campaign.resendOf ? (
          <p className="muted">
            {t('campaign.resendOf')}{' '}
            <Link to={paths.campaign(campaign.resendOf.id)}>{campaign.resendOf.name}</Link>
          </p>
        ) : null}
        {campaign.runOf?.template ? (
          <p className="muted">
            {t('campaign.runOf')}{' '}
            <Link to={paths.campaign(campaign.runOf.template.id)}>{campaign.runOf.template.name}</Link>
          </p>
        ) : null}
        <p className="muted" data-testid="campaign-channels" data-mode={campaign.channelMode}>
          {t(`plan.mode.short.${campaign.channelMode}`)}:{' '}
          {campaign.channelPlan.map((s) => s.channel).join(campaign.channelMode === 'ALL' ? ' + ' : ' → ')}
        </p>
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
        <FinishTime estimate={estimate} />
        {state === 'DRAFT' ? (
          <Link className="button" to={paths.editCampaign(campaign.id)} data-testid="edit-campaign">
            {t('campaign.edit')}
          </Link>
        ) : null}
        {state === 'IN_REVIEW' ? (
          <Link className="button" to={paths.reviewCampaign(campaign.id)} data-testid="open-review">
            {t('campaign.openReview')}
          </Link>
        ) : null}
        <CampaignActionsBar campaignId={campaign.id} state={state} onResult={applyRead} />
        <ErrorCodes codes={liveCodes} />
      </header>
      <WaitingPanel waiting={waiting} moving={isMoving(state, samples, nowMs)} />
      {NOT_STARTED.has(state) ? <PlatformCapsPanel campaignId={campaign.id} /> : null}
      {decisionPending ? abPanel : null}
      <div className="campaign-panels">
        <FunnelPanel counters={counters} />
        <SendersPanel senders={breakdown.senders} quotas={breakdown.quotas} />
        <OpensPanel rows={breakdown.opens.rows} openPixel={breakdown.opens.openPixel} />
        <OaJobsPanel
          campaignId={campaign.id}
          version={`${snapshot.state}:${snapshot.counters.settled}:${snapshot.counters.awaitingConfirmation}`}
        />
        <WecomTasksPanel
          onChanged={rereadCampaign}
          campaignId={campaign.id}
          version={`${snapshot.state}:${snapshot.counters.settled}:${snapshot.counters.awaitingConfirmation}`}
        />
        <MetricsPanel metrics={snapshot.metrics} />
        <FailuresPanel
          campaignId={campaign.id}
          campaignName={campaign.name}
          state={state}
          counters={counters}
        />
        {decisionPending ? null : abPanel}
        <ProgressChart samples={samples} total={counters.total} />
        <BatchTimeline
          batches={breakdown.batches}
          hasMore={breakdown.hasMore}
          onMore={breakdown.loadMore}
          error={breakdown.error}
        />
        <CountersPanel counters={counters} />
      </div>
    </article>
  );
}
