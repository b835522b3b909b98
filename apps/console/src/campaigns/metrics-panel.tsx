import type { Metric } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { formatMetricValue, metricTone } from './progress.js';

/** Metrics with their status colour: GOOD green, WARN amber, ALARM red, NONE grey. */
export function MetricsPanel({ metrics }: { metrics: readonly Metric[] }) {
  const { t, tx } = useI18n();
  return (
    <section className="card" aria-labelledby="metrics-title">
      <h2 id="metrics-title">{t('campaign.metrics')}</h2>
      {metrics.length === 0 ? (
        <p className="muted">{t('campaign.noMetrics')}</p>
      ) : (
        <ul className="metrics">
          {metrics.map((metric) => (
            <li
              key={metric.name}
              className={`metric metric--${metricTone(metric.status)}`}
              data-testid={`metric-${metric.name}`}
              data-status={metric.status}
            >
              <span className="metric__label">{tx(metric.name, metric.label)}</span>
              <span className="metric__value">{formatMetricValue(metric.value, metric.unit)}</span>
              <span className="metric__status">{tx(`metric.status.${metric.status}`, metric.status)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
