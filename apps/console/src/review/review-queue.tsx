import { Link } from 'react-router';
import { useSubscription } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { ReviewQueueSubscription } from './review-documents.js';

/** Campaigns in review, longest waiting first, kept current by the `reviewQueue` subscription. */
export function ReviewQueue() {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [{ data, error }] = useSubscription({ query: ReviewQueueSubscription });
  const queue = data?.reviewQueue;
  return (
    <section className="card" aria-labelledby="review-title">
      <h1 id="review-title">{t('review.title')}</h1>
      <ErrorNotice error={error ?? null} />
      {!queue && !error ? <Loading /> : null}
      {queue && queue.length === 0 ? <p className="muted">{t('review.empty')}</p> : null}
      {queue && queue.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="review-queue">
            <thead>
              <tr>
                <th>{t('list.name')}</th>
                <th>{t('review.submittedAt')}</th>
                <th>{t('review.recipients')}</th>
                <th>{t('review.reasons')}</th>
                <th>{t('review.steps')}</th>
              </tr>
            </thead>
            <tbody>
              {queue.map((c) => (
                <tr key={c.id} data-testid="review-row" data-campaign-id={c.id}>
                  <td>
                    <Link to={paths.reviewCampaign(c.id)}>{c.name}</Link>
                  </td>
                  <td>{formatDateTime(c.review?.submittedAt, locale, viewer.workspace.timeZone)}</td>
                  <td>{n(c.counters.total)}</td>
                  <td>{c.review?.reasons.join('；')}</td>
                  <td>
                    {c.review?.steps.map((s) => (
                      <span key={s.name} className={`chip step--${s.status}`}>
                        {s.name} · {tx(`review.step.${s.status}`, s.status)}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
