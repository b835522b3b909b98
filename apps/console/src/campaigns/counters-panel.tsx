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
  return (
    <details className="card counters-card">
      <summary>{t('campaign.counters')}</summary>
      <dl className="counters">
        {COUNTER_NAMES.map((name) => (
          <div key={name} className={`counter counter--${name}`}>
            <dt>{tx(`counter.${name}`, name)}</dt>
            <dd data-testid={`counter-${name}`}>{counters[name]}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
