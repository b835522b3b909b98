import { type Counters, reachedCount } from '../domain/counters.js';
import type { AbWinnerMetric } from './ab-test.js';
import type { Proportion } from './two-proportion-z-test.js';

/**
 * A winner metric as a proportion over one variant's counters, with the numerator and denominator
 * of the built-in metric plugins (`metric:delivery-rate`, `metric:open-rate`, `metric:click-through`):
 *
 * - delivery_rate: (sent + delivered + read + clicked) / (those + failed + filtered)
 * - open_rate:     (read + clicked) / (sent + delivered + read + clicked)
 * - click_rate:    clicked / (sent + delivered + read + clicked)
 *
 * Open and click rates need receipts or tracked links that move deliveries to read / clicked.
 */
export function winnerProportion(metric: AbWinnerMetric, c: Counters): Proportion {
  const reached = reachedCount(c);
  switch (metric) {
    case 'delivery_rate':
      return { trials: reached + c.failed + c.filtered, successes: reached };
    case 'open_rate':
      return { trials: reached, successes: c.read + c.clicked };
    case 'click_rate':
      return { trials: reached, successes: c.clicked };
  }
}

/** Whether the metric depends on engagement signals (reads, clicks) that some channels never report. */
export function needsEngagement(metric: AbWinnerMetric): boolean {
  return metric !== 'delivery_rate';
}
