import type { CombinedError } from '@urql/core';
import { useSessionContext } from '../auth/session-context.js';
import { formatClock } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import type { BatchRow } from './breakdown-documents.js';
import { figuresOf } from './sender-totals.js';

/** A batch's wait reason in words: a wait code the console knows, or the rule that deferred it. */
function useWaitText() {
  const { t, tx } = useI18n();
  return (reason: string | null) => {
    if (reason === null) return '';
    const code = reason.toUpperCase();
    const known = tx(`wait.${code}`, '');
    return known || `${t('batches.rule')} ${reason}`;
  };
}

/**
 * The batch timeline: each provider send in plan order (retries and fallbacks after), when it
 * is due, on which channel and account, its state, why it waits, and what became of its recipients.
 */
export function BatchTimeline({
  batches,
  hasMore,
  onMore,
  error,
}: {
  batches: readonly BatchRow[];
  hasMore: boolean;
  onMore(): void;
  error: CombinedError | null;
}) {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const waitText = useWaitText();
  if (batches.length === 0 && !error) return null;
  const zone = viewer.workspace.timeZone;
  const done = batches.filter((b) => b.state === 'DONE').length;
  return (
    <section className="card batches" aria-labelledby="batches-title" data-testid="batch-timeline">
      <h2 id="batches-title">{t('batches.title')}</h2>
      <p className="muted">{t('batches.summary', { done: n(done), shown: n(batches.length) })}</p>
      <ol className="batch-strip" aria-hidden="true">
        {batches.map((b) => (
          <li
            key={b.id}
            className={`batch-strip__cell batch--${b.state.toLowerCase()}`}
            title={`#${b.seq + 1}`}
          />
        ))}
      </ol>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('batches.due')}</th>
              <th scope="col">{t('failed.channel')}</th>
              <th scope="col" className="num">
                {t('batches.size')}
              </th>
              <th scope="col">{t('batches.state')}</th>
              <th scope="col">{t('batches.outcome')}</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => {
              const f = figuresOf(b.counters);
              return (
                <tr key={b.id} data-testid="batch-row" data-state={b.state} data-account={b.account ?? ''}>
                  <td>{b.seq + 1}</td>
                  <td>
                    <time dateTime={b.dueAt}>{formatClock(b.dueAt, locale, zone)}</time>
                  </td>
                  <td>
                    {b.channel}
                    {b.account ? <span className="muted"> · {b.account}</span> : null}
                  </td>
                  <td className="num">{n(b.size)}</td>
                  <td>
                    <span className={`batch-state batch--${b.state.toLowerCase()}`}>
                      {tx(`batchState.${b.state}`, b.state)}
                    </span>
                    {b.waitReason && b.state === 'QUEUED' ? (
                      <span className="muted" data-testid="batch-wait">
                        {' '}
                        · {waitText(b.waitReason)}
                      </span>
                    ) : null}
                  </td>
                  <td data-testid="batch-outcome">
                    {t('batches.outcomeText', {
                      sent: n(f.sent),
                      failed: n(f.failed),
                      pending: n(f.pending),
                    })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ErrorNotice error={error} />
      {hasMore ? (
        <button type="button" className="button" data-testid="batches-more" onClick={onMore}>
          {t('list.loadMore')}
        </button>
      ) : null}
    </section>
  );
}
