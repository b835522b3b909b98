import { useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { errorCodes } from '../graphql/error-code.js';
import type { AbTestView, CampaignDetail } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { formatDifference, formatPValue, formatRate } from './ab-test-format.js';
import { AbTestQuery, ConfirmAbTestWinnerMutation } from './campaign-documents.js';

interface AbTestPanelProps {
  campaignId: string;
  abTest: AbTestView;
  /** Settled deliveries: a change re-reads the live comparison. */
  settled: number;
  onResult(campaign: CampaignDetail): void;
}

/**
 * An A/B test: phase, decision time, each variant's rate, the leader's lead and p-value, the
 * warnings; while it awaits a decision, a button per variant sends that one to the rest.
 */
export function AbTestPanel({ campaignId, abTest, settled, onResult }: AbTestPanelProps) {
  const client = useClient();
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [view, setView] = useState(abTest);
  const [codes, setCodes] = useState<string[]>([]);
  const [pending, setPending] = useState(false);

  useEffect(() => setView(abTest), [abTest]);

  // While testing, re-read as the counts move (at most every 2 s) and every 3 s regardless, so the
  // decision shows even when no count moves (a confirm-mode test after its sample went out).
  const lastRead = useRef(0);
  const testing = view.phase === 'TESTING' || view.phase === null;
  useEffect(() => {
    if (!testing || settled < 0) return;
    const refresh = () => {
      lastRead.current = Date.now();
      void client
        .query(AbTestQuery, { id: campaignId }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((r) => r.data?.campaign.abTest && setView(r.data.campaign.abTest));
    };
    const soon = setTimeout(refresh, Math.max(0, lastRead.current + 2000 - Date.now()));
    const every = setInterval(refresh, 3000);
    return () => {
      clearTimeout(soon);
      clearInterval(every);
    };
  }, [client, campaignId, settled, testing]);

  const confirm = async (variantId: string) => {
    setPending(true);
    setCodes([]);
    const result = await client
      .mutation(ConfirmAbTestWinnerMutation, { id: campaignId, variantId })
      .toPromise();
    setPending(false);
    const campaign = result.data?.confirmAbTestWinner;
    if (result.error || !campaign) {
      setCodes(errorCodes(result.error));
      return;
    }
    onResult(campaign);
  };

  const comparison = view.comparison;
  const canConfirm =
    view.phase === 'AWAITING_DECISION' && viewer.role !== 'VIEWER' && viewer.role !== 'APPROVER';
  return (
    <section className="card" aria-labelledby="ab-title" data-testid="ab-test">
      <h2 id="ab-title">
        {t('ab.title')} · {tx(`ab.metric.${view.winnerMetric}`, view.winnerMetric)}
      </h2>
      <p>
        <strong data-testid="ab-phase" data-phase={view.phase ?? 'NONE'}>
          {tx(`ab.phase.${view.phase ?? 'NONE'}`, view.phase ?? '')}
        </strong>
        {view.decideAt ? (
          <>
            {' · '}
            {t('ab.decideAt')}{' '}
            <time dateTime={view.decideAt}>
              {formatDateTime(view.decideAt, locale, viewer.workspace.timeZone)}
            </time>
          </>
        ) : null}
        {view.winnerKey ? (
          <>
            {' · '}
            {t('ab.winner')} <strong data-testid="ab-winner">{view.winnerKey}</strong>
          </>
        ) : null}
      </p>
      {comparison ? (
        <>
          {view.comparisonFinal ? null : <p className="muted">{t('ab.live')}</p>}
          <table className="ab-table">
            <thead>
              <tr>
                <th>{t('ab.variant')}</th>
                <th>{t('ab.recipients')}</th>
                <th>{t('ab.successes')}</th>
                <th>{t('ab.rate')}</th>
                {canConfirm ? <th /> : null}
              </tr>
            </thead>
            <tbody>
              {comparison.variants.map((v) => (
                <tr key={v.variantId} data-testid={`ab-variant-${v.key}`}>
                  <td>
                    {v.key}
                    {v.variantId === comparison.leaderVariantId ? ' ★' : ''}
                  </td>
                  <td>{v.recipients}</td>
                  <td>{v.successes}</td>
                  <td>{formatRate(v.rate)}</td>
                  {canConfirm ? (
                    <td>
                      <ConfirmButton
                        label={`${t('ab.send')}${v.variantId === view.recommendedVariantId ? ` (${t('ab.recommended')})` : ''}`}
                        title={t('ab.confirmTitle', { key: v.key })}
                        disabled={pending}
                        testId={`ab-send-${v.key}`}
                        onConfirm={() => void confirm(v.variantId)}
                      >
                        <p>{t('ab.confirmBody', { key: v.key, rate: formatRate(v.rate) })}</p>
                        {comparison.warnings.map((w) => (
                          <p key={w.code} className="alert">
                            {tx(`ab.warning.${w.code}`, w.message)}
                          </p>
                        ))}
                      </ConfirmButton>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
          <dl className="times">
            <div>
              <dt>{t('ab.difference')}</dt>
              <dd>{formatDifference(comparison.difference)}</dd>
            </div>
            <div>
              <dt>{t('ab.pValue')}</dt>
              <dd data-testid="ab-p-value">{formatPValue(comparison.pValue)}</dd>
            </div>
            <div>
              <dt>{t('ab.holdout')}</dt>
              <dd>{comparison.holdout}</dd>
            </div>
          </dl>
          {comparison.warnings.length > 0 ? (
            <ul className="ab-warnings">
              {comparison.warnings.map((w) => (
                <li key={w.code} data-testid={`ab-warning-${w.code}`} title={w.message}>
                  {tx(`ab.warning.${w.code}`, w.message)}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
      <ErrorCodes codes={codes} />
    </section>
  );
}
