import { useMemo } from 'react';
import { useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { ReviewVersionsQuery } from './review-documents.js';
import { type DiffSegment, textDiff } from './text-diff.js';
import { type VersionChange, versionChanges } from './version-changes.js';

/** Segments keyed by where they start in the old and the new text, which no two share. */
function keyed(segments: DiffSegment[]) {
  let before = 0;
  let after = 0;
  return segments.map((s) => {
    const key = `${s.kind}:${before}:${after}`;
    if (s.kind !== 'added') before += s.text.length;
    if (s.kind !== 'removed') after += s.text.length;
    return { ...s, key };
  });
}

function ChangeValue({ change }: { change: VersionChange }) {
  const { t } = useI18n();
  if (change.text && change.before !== null && change.after !== null) {
    return (
      <p className="diff diff--text" data-testid="review-diff-text">
        {keyed(textDiff(change.before, change.after)).map(({ key, kind, text }) =>
          kind === 'same' ? (
            <span key={key}>{text}</span>
          ) : kind === 'removed' ? (
            <del key={key}>{text}</del>
          ) : (
            <ins key={key}>{text}</ins>
          ),
        )}
      </p>
    );
  }
  return (
    <dl className="diff diff--sides">
      <dt>{t('diff.before')}</dt>
      <dd>{change.before === null ? t('diff.absent') : <del>{change.before}</del>}</dd>
      <dt>{t('diff.after')}</dt>
      <dd>{change.after === null ? t('diff.absent') : <ins>{change.after}</ins>}</dd>
    </dl>
  );
}

/** What changed since the last approved version: content by character, audience, channels and schedule side by side. */
export function VersionDiffPanel({ campaignId }: { campaignId: string }) {
  const { t, tx, locale } = useI18n();
  const { viewer } = useSessionContext();
  const timeZone = viewer.workspace.timeZone;
  const [{ data, error, fetching }] = useQuery({
    query: ReviewVersionsQuery,
    variables: { id: campaignId },
    requestPolicy: 'network-only',
  });
  const campaign = data?.campaign;
  const approved = campaign?.review?.lastApproved ?? null;
  const changes = useMemo(() => {
    if (!campaign || !approved) return [];
    const tags = new Map((data?.tags ?? []).map((tag) => [tag.id, tag.name]));
    return versionChanges(approved, campaign, {
      t,
      tx,
      tagName: (id) => tags.get(id) ?? `#${id}`,
      dateTime: (iso) => formatDateTime(iso, locale, timeZone),
    });
  }, [campaign, approved, data?.tags, t, tx, locale, timeZone]);

  if (error) return <ErrorNotice error={error} />;
  if (!campaign) return fetching ? <Loading /> : null;
  const parts = [...new Set(changes.map((c) => c.part))];
  return (
    <section className="card" data-testid="review-diff" aria-labelledby="review-diff-title">
      <h2 id="review-diff-title">{t('diff.title')}</h2>
      {approved === null ? (
        <p className="muted" data-testid="review-diff-first">
          {t('diff.firstRound')}
        </p>
      ) : (
        <>
          <p className="muted">
            {t('diff.since', {
              round: approved.round,
              at: formatDateTime(approved.approvedAt, locale, timeZone),
            })}
          </p>
          {parts.length === 0 ? (
            <p data-testid="review-diff-unchanged">{t('diff.unchanged')}</p>
          ) : (
            <p className="notice" data-testid="review-diff-summary" data-parts={parts.join(' ')}>
              {t('diff.changedParts', {
                parts: parts.map((p) => tx(`diff.part.${p}`, p)).join(locale === 'en' ? ', ' : '、'),
              })}
            </p>
          )}
          {parts.map((part) => (
            <div key={part} data-testid={`review-diff-part-${part}`}>
              <h3>{tx(`diff.part.${part}`, part)}</h3>
              {changes
                .filter((c) => c.part === part)
                .map((c) => (
                  <div className="diff-change" key={c.key} data-testid="review-diff-change" data-key={c.key}>
                    <h4>{c.label}</h4>
                    <ChangeValue change={c} />
                  </div>
                ))}
            </div>
          ))}
        </>
      )}
    </section>
  );
}
