import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { useClient } from 'urql';
import type { CampaignFinding } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { findingText } from '../ui/finding-text.js';
import { OverrideFindingMutation } from './review-documents.js';

interface FindingListProps {
  campaignId: string;
  findings: readonly CampaignFinding[];
  canOverride: boolean;
  onChanged(): void;
}

/** Findings with level, rule, reason; a revise finding may be overridden by an approver with a reason. */
export function FindingList({ campaignId, findings, canOverride, onChanged }: FindingListProps) {
  const i18n = useI18n();
  const { t, tx } = i18n;
  const client = useClient();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [error, setError] = useState<CombinedError | null>(null);

  const override = async (key: string) => {
    const result = await client
      .mutation(OverrideFindingMutation, { campaignId, findingKey: key, reason: reasons[key] ?? '' })
      .toPromise();
    setError(result.error ?? null);
    if (!result.error) onChanged();
  };

  if (findings.length === 0) return <p className="muted">{t('review.noFindings')}</p>;
  return (
    <>
      <ul className="findings" data-testid="review-findings">
        {findings.map((f) => (
          <li
            key={f.key}
            className={`finding finding--${f.level.toLowerCase()}`}
            data-testid="review-finding"
            data-level={f.level}
          >
            <strong>{tx(`level.${f.level}`, f.level)}</strong> {tx(`finding.${f.code}`, f.code)}
            <span className="muted">
              {' '}
              · {f.rule}
              {f.channel ? ` · ${f.channel}` : ''}
            </span>
            <div className="muted" data-testid="finding-text">
              {findingText(f, i18n)}
            </div>
            {f.override ? (
              <div className="notice" data-testid="finding-overridden">
                {t('review.overridden', { reason: f.override.reason })}
              </div>
            ) : f.level === 'REVISE' && canOverride ? (
              <div className="row">
                <input
                  aria-label={t('review.overrideReason')}
                  placeholder={t('review.overrideReason')}
                  value={reasons[f.key] ?? ''}
                  onChange={(e) => setReasons({ ...reasons, [f.key]: e.target.value })}
                />
                <button
                  type="button"
                  className="button"
                  disabled={!(reasons[f.key] ?? '').trim()}
                  data-testid="override-finding"
                  onClick={() => void override(f.key)}
                >
                  {t('review.override')}
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} />
    </>
  );
}
