import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { CampaignQuery } from '../campaigns/campaign-documents.js';
import { StateBadge } from '../campaigns/state-badge.js';
import { HighlightedText } from '../composer/highlighted-text.js';
import { useAudiencePreview } from '../composer/use-audience-preview.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { FindingList } from './finding-list.js';
import { ApproveCampaignMutation, RejectCampaignMutation } from './review-documents.js';
import { VersionDiffPanel } from './version-diff-panel.js';

/** One campaign under review: its content with the findings marked, the audience, the steps; approve or reject. */
export function ReviewPage() {
  const { id = '' } = useParams();
  const { t, tx, n } = useI18n();
  const { viewer } = useSessionContext();
  const client = useClient();
  const navigate = useNavigate();
  const [{ data, error, fetching }, refetch] = useQuery({ query: CampaignQuery, variables: { id } });
  const [comment, setComment] = useState('');
  const [actionError, setActionError] = useState<CombinedError | null>(null);
  const campaign = data?.campaign;
  const { preview } = useAudiencePreview(
    campaign?.audience ?? { all: true },
    campaign?.excludeDormant ?? false,
  );

  if (error) return <ErrorNotice error={error} />;
  if (!campaign) return fetching ? <Loading /> : null;
  const canDecide = viewer.role === 'APPROVER' || viewer.role === 'ADMIN';
  const next = campaign.review?.steps.find((s) => s.status === 'pending');
  const open = campaign.findings.filter((f) => f.level === 'REVISE' && !f.override).length;

  const approve = async () => {
    const result = await client
      .mutation(ApproveCampaignMutation, { id, step: next?.name ?? null, comment: comment || null })
      .toPromise();
    setActionError(result.error ?? null);
    if (!result.error) {
      setComment('');
      refetch({ requestPolicy: 'network-only' });
    }
  };
  const reject = async () => {
    const result = await client.mutation(RejectCampaignMutation, { id, comment }).toPromise();
    setActionError(result.error ?? null);
    if (!result.error) navigate(paths.review);
  };

  return (
    <article aria-labelledby="review-campaign-title">
      <Link className="back-link" to={paths.review}>
        {t('review.back')}
      </Link>
      <header className="card">
        <div className="campaign-header__title">
          <h1 id="review-campaign-title">{campaign.name}</h1>
          <StateBadge state={campaign.state} />
        </div>
        <p>
          <Link to={paths.campaign(campaign.id)}>{t('review.openCampaign')}</Link>
        </p>
        {preview ? (
          <p data-testid="review-audience">{t('audience.sendable', { count: n(preview.sendable) })}</p>
        ) : null}
        <p className="muted">
          <span data-testid="review-channel-mode" data-mode={campaign.channelMode}>
            {t(`plan.mode.short.${campaign.channelMode}`)}
          </span>
          : {campaign.channelPlan.map((s) => s.channel).join(campaign.channelMode === 'ALL' ? ' + ' : ' → ')}{' '}
          · {tx(`quiet.mode.${campaign.quietHours.mode}`, campaign.quietHours.mode)}
          {campaign.quietHours.enabled ? ` ${campaign.quietHours.start}–${campaign.quietHours.end}` : ''}
        </p>
        {campaign.review ? (
          <>
            <p className="muted">{campaign.review.reasons.join('；')}</p>
            <ol className="review-steps" data-testid="review-steps">
              {campaign.review.steps.map((s) => (
                <li key={s.name} data-status={s.status}>
                  {s.name} · {tx(`review.step.${s.status}`, s.status)}
                  {s.comment ? <span className="muted"> · {s.comment}</span> : null}
                </li>
              ))}
            </ol>
          </>
        ) : null}
      </header>
      {campaign.review ? <VersionDiffPanel campaignId={campaign.id} /> : null}
      {campaign.variants.map((v) => {
        const findings = campaign.findings.filter((f) => f.variantId === null || f.variantId === v.id);
        // A step's own content carries the findings on that step's providers; the rest are the variant's content's.
        const stepOf = (channel: string | null) =>
          campaign.channelPlan.find((s) => s.channel === channel || s.failover.includes(channel ?? ''))
            ?.channel;
        const ownContent = (f: (typeof findings)[number]) =>
          v.channelContent.some((c) => c.channel === stepOf(f.channel));
        return (
          <section className="card" key={v.id} aria-label={t('composer.variant', { key: v.key })}>
            <h2>{t('composer.variant', { key: v.key })}</h2>
            <HighlightedText
              text={v.content.text}
              findings={findings.filter((f) => !f.override && !ownContent(f))}
            />
            {v.channelContent.map((c) => (
              <div key={c.channel} data-testid="review-channel-content" data-channel={c.channel}>
                <h3>{c.channel}</h3>
                <HighlightedText
                  text={c.content.text}
                  findings={findings.filter((f) => !f.override && stepOf(f.channel) === c.channel)}
                />
              </div>
            ))}
            <FindingList
              campaignId={campaign.id}
              findings={findings}
              canOverride={canDecide}
              onChanged={() => refetch({ requestPolicy: 'network-only' })}
            />
          </section>
        );
      })}
      {campaign.state === 'IN_REVIEW' ? (
        <section className="card">
          <h2>{t('review.decision')}</h2>
          {canDecide ? (
            <>
              <label className="field">
                <span>{t('review.comment')}</span>
                <textarea
                  data-testid="review-comment"
                  value={comment}
                  onChange={(e) => setComment(e.target.value)}
                />
              </label>
              {open > 0 ? (
                <p className="notice" data-testid="review-open-findings">
                  {t('review.openFindings', { count: open })}
                </p>
              ) : null}
              <div className="actions__buttons">
                <button
                  type="button"
                  className="button button--primary"
                  data-testid="review-approve"
                  disabled={open > 0}
                  onClick={() => void approve()}
                >
                  {next ? t('review.approveStep', { step: next.name }) : t('review.approve')}
                </button>
                <button
                  type="button"
                  className="button button--danger"
                  data-testid="review-reject"
                  disabled={!comment.trim()}
                  onClick={() => void reject()}
                >
                  {t('review.reject')}
                </button>
              </div>
            </>
          ) : (
            <p className="muted" data-testid="review-needs-approver">
              {t('review.needsApprover')}
            </p>
          )}
          <ErrorNotice error={actionError} />
        </section>
      ) : null}
    </article>
  );
}
