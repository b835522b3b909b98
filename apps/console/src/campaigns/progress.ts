import type { MetricStatus } from '../graphql/types.js';

/** Settled share of the total in percent, 0–100; 0 for an empty campaign. */
export function progressPercent(settled: number, total: number): number {
  if (!(total > 0) || !(settled > 0)) return 0;
  return Math.min(100, (settled / total) * 100);
}

/** "42.5%": one decimal, but never "100.0%" before every recipient has settled. */
export function formatPercent(percent: number): string {
  const rounded = Math.floor(percent * 10) / 10;
  return `${rounded.toFixed(1)}%`;
}

/** "420 / 1000 (42.0%)" */
export function formatProgress(settled: number, total: number): string {
  return `${settled} / ${total} (${formatPercent(progressPercent(settled, total))})`;
}

/**
 * A metric value for display. Units the console knows: `%` (already a percentage),
 * `ratio` (0–1, shown as a percentage), `count`; any other unit is appended.
 */
export function formatMetricValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (unit === '%' || unit === 'percent') return `${value.toFixed(1)}%`;
  if (unit === 'ratio') return `${(value * 100).toFixed(1)}%`;
  const number = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit === '' || unit === 'count' ? number : `${number} ${unit}`;
}

/** The CSS modifier for a metric status: GOOD green, WARN amber, ALARM red, NONE grey. */
export function metricTone(status: MetricStatus): 'good' | 'warn' | 'alarm' | 'none' {
  return status.toLowerCase() as Lowercase<MetricStatus>;
}
