import { useEffect, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { InboundMessages } from './inbound-messages.js';
import { largestPage, TriageItemChangedSubscription, TriageItemsQuery } from './triage-documents.js';
import { type TriageItem, TriageItemCard } from './triage-item-card.js';
import { byUrgency } from './triage-order.js';

/** The inbox's views: what to answer, what is late, what was answered, what is closed. */
const VIEWS = {
  open: { status: ['NEW', 'ASSIGNED'] as const, overdue: null },
  overdue: { status: null, overdue: true },
  replied: { status: ['REPLIED'] as const, overdue: null },
  resolved: { status: ['RESOLVED'] as const, overdue: null },
  all: { status: null, overdue: null },
};
type View = keyof typeof VIEWS;

const PAGE = 50;
/** The most items a page asks for (the cost limit allows 400 with their replies, not 500). */
const MAX_PAGE = largestPage;
/** Countdowns move on between reads at this pace. */
const TICK_MS = 30_000;

/**
 * Inbox triage: replies sorted into items (overdue, then by priority and deadline) with their class, priority and reply
 * deadline, overdue ones marked; assign, reply over the channel it came from, resolve, reopen.
 * Any change anywhere (another operator, a new reply) re-reads the list.
 */
export function InboxPage() {
  const { t, n } = useI18n();
  const [view, setView] = useState<View>('open');
  const [first, setFirst] = useState(PAGE);
  // Items handled here stay in sight (marked) until the view changes, instead of vanishing mid-action.
  const [handled, setHandled] = useState<ReadonlyMap<string, TriageItem>>(new Map());
  const [nowMs, setNowMs] = useState(() => Date.now());
  const { status, overdue } = VIEWS[view];
  const [{ data, error, fetching }, reread] = useQuery({
    query: TriageItemsQuery,
    variables: { first, status: status ? [...status] : null, overdue },
    requestPolicy: 'cache-and-network',
  });
  const [live] = useSubscription({ query: TriageItemChangedSubscription });

  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    if (live.data) {
      setNowMs(Date.now());
      reread({ requestPolicy: 'network-only' });
    }
  }, [live.data, reread]);

  const fetched = byUrgency((data?.triageItems.edges ?? []).map((e) => e.node));
  const listed = new Set(fetched.map((i) => i.id));
  const items = [...fetched, ...[...handled.values()].filter((i) => !listed.has(i.id))];
  const summary = data?.triageSummary;
  return (
    <section className="inbox" aria-labelledby="inbox-title">
      <div className="card">
        <h1 id="inbox-title">{t('inbox.title')}</h1>
        {summary ? (
          <p data-testid="triage-summary" data-open={summary.open} data-overdue={summary.overdue}>
            {t('triage.summary', { open: n(summary.open) })}{' '}
            {summary.overdue > 0 ? (
              <strong className="triage-deadline--overdue">
                {t('triage.summaryOverdue', { overdue: n(summary.overdue) })}
              </strong>
            ) : null}
          </p>
        ) : null}
        <div className="tabs" role="radiogroup" aria-label={t('triage.view')}>
          {(Object.keys(VIEWS) as View[]).map((v) => (
            <label key={v} className={v === view ? 'tab tab--active' : 'tab'}>
              <input
                type="radio"
                name="triage-view"
                value={v}
                checked={v === view}
                onChange={() => {
                  setView(v);
                  setFirst(PAGE);
                  setHandled(new Map());
                }}
                data-testid={`triage-view-${v}`}
              />
              {t(`triage.view.${v}`)}
            </label>
          ))}
        </div>
        <ErrorNotice error={error ?? live.error ?? null} />
        {fetching && !data ? <Loading /> : null}
        {data && items.length === 0 ? (
          <p className="muted" data-testid="triage-empty">
            {t('triage.empty')}
          </p>
        ) : null}
        <ul className="triage-list" data-testid="triage-list">
          {items.map((item) => (
            <TriageItemCard
              key={item.id}
              item={item}
              nowMs={nowMs}
              handled={!listed.has(item.id)}
              onChanged={(changed) => {
                setHandled((m) => new Map(m).set(changed.id, changed));
                reread({ requestPolicy: 'network-only' });
              }}
            />
          ))}
        </ul>
        {data?.triageItems.pageInfo.hasNextPage && first < MAX_PAGE ? (
          <button
            type="button"
            className="button"
            onClick={() => setFirst((f) => Math.min(f + PAGE, MAX_PAGE))}
          >
            {t('list.loadMore')}
          </button>
        ) : null}
      </div>
      <InboundMessages />
    </section>
  );
}
