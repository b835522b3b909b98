import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from 'urql';
import type { CampaignState, Counters } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { ResendCampaignMutation } from './campaign-documents.js';
import { FailedRecipients } from './failed-recipients.js';
import { TRANSIENT_CLASSES, transientCount } from './failure-classes.js';

const ENDED: ReadonlySet<CampaignState> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Failures by class (transient ones marked), the failed recipients, and a resend once it has ended. */
export function FailuresPanel({
  campaignId,
  campaignName,
  state,
  counters,
}: {
  campaignId: string;
  campaignName: string;
  state: CampaignState;
  counters: Counters;
}) {
  const { t, tx, n } = useI18n();
  const client = useClient();
  const navigate = useNavigate();
  const [error, setError] = useState<CombinedError | null>(null);
  const failures = counters.failedByClass.filter((c) => c.count > 0);
  const transient = transientCount(failures);

  const resend = async () => {
    setError(null);
    const result = await client
      .mutation(ResendCampaignMutation, {
        id: campaignId,
        states: ['FAILED'],
        // A campaign name may take all 200 characters a name has.
        name: t('failed.resendName', {
          name: campaignName.length > 180 ? `${campaignName.slice(0, 179)}…` : campaignName,
        }),
      })
      .toPromise();
    if (result.error || !result.data) {
      setError(result.error ?? null);
      return;
    }
    navigate(paths.campaign(result.data.resendCampaign.id));
  };

  return (
    <section className="card" aria-labelledby="failures-title">
      <h2 id="failures-title">{t('campaign.failuresByClass')}</h2>
      {failures.length === 0 ? (
        <p className="muted">{t('campaign.noFailures')}</p>
      ) : (
        <>
          <dl className="counters">
            {failures.map(({ failureClass, count }) => (
              <div key={failureClass} className="counter counter--failed">
                <dt>
                  {tx(`failure.${failureClass}`, failureClass)}
                  <span className="muted">
                    {' '}
                    · {TRANSIENT_CLASSES.has(failureClass) ? t('failed.transient') : t('failed.permanent')}
                  </span>
                </dt>
                <dd data-testid={`counter-failed-${failureClass}`}>{count}</dd>
              </div>
            ))}
          </dl>
          <FailedRecipients campaignId={campaignId} failed={counters.failed} />
          {ENDED.has(state) && transient > 0 ? (
            <div className="actions__buttons">
              <ConfirmButton
                label={t('failed.resend', { count: n(transient) })}
                title={t('failed.resendTitle')}
                testId="action-resend"
                onConfirm={() => void resend()}
              >
                <p>
                  {t('failed.resendBody', {
                    count: n(transient),
                    permanent: n(counters.failed - transient),
                  })}
                </p>
              </ConfirmButton>
            </div>
          ) : null}
          <ErrorNotice error={error} />
        </>
      )}
    </section>
  );
}
