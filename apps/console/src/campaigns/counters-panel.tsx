import type { Counters } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';

type CounterName = Exclude<keyof Counters, 'failedByClass'>;

/** The counters in the order a delivery moves through them. */
export const COUNTER_NAMES: readonly CounterName[] = [
  'total',
  'waiting',
  'queued',
  'submitted',
  'awaitingConfirmation',
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'suppressed',
  'filtered',
  'uncertain',
  'settled',
];

export function CountersPanel({ counters }: { counters: Counters }) {
  const { t, tx } = useI18n();
  const failures = counters.failedByClass.filter((entry) => entry.count > 0);
  return (
    <>
      <section className="card" aria-labelledby="counters-title">
        <h2 id="counters-title">{t('campaign.counters')}</h2>
        <dl className="counters">
          {COUNTER_NAMES.map((name) => (
            <div key={name} className={`counter counter--${name}`}>
              <dt>{tx(`counter.${name}`, name)}</dt>
              <dd data-testid={`counter-${name}`}>{counters[name]}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="failures-title">
        <h2 id="failures-title">{t('campaign.failuresByClass')}</h2>
        {failures.length === 0 ? (
          <p className="muted">{t('campaign.noFailures')}</p>
        ) : (
          <dl className="counters">
            {failures.map(({ failureClass, count }) => (
              <div key={failureClass} className="counter counter--failed">
                <dt>{tx(`failure.${failureClass}`, failureClass)}</dt>
                <dd data-testid={`counter-failed-${failureClass}`}>{count}</dd>
              </div>
            ))}
          </dl>
        )}
      </section>
    </>
  );
}
