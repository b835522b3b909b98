import type { Counters } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';

type CounterName = Exclude<keyof Counters, 'failedByClass'>;

/** The states a recipient's delivery can be in, in the order it moves through them; each counts recipients. */
export const STATE_COUNTERS = [
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
] as const satisfies readonly CounterName[];

/** The counters as the panel shows them: the total, each state, then those settled. */
export const COUNTER_NAMES: readonly CounterName[] = ['total', ...STATE_COUNTERS, 'settled'];

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
