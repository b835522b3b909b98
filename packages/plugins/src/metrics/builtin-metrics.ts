import { failureClasses, type MetricPlugin } from '@qunfa/core';
import { clickThrough } from './click-through.js';
import { completion } from './completion.js';
import { deliveryRate } from './delivery-rate.js';
import { failureRate } from './failure-rate.js';
import { complaintRate, conversionRate, replyRate, unsubscribeRate } from './feedback-rates.js';
import { openRate } from './open-rate.js';

/**
 * The default metric set, each with its default options: delivery rate, failure rate overall
 * and per failure class, completion, open rate and click-through, in the order a console lists them.
 */
export function builtinMetrics(): MetricPlugin[] {
  return [
    deliveryRate(),
    failureRate(),
    ...failureClasses.map((failureClass) => failureRate({ failureClass })),
    completion(),
    openRate(),
    clickThrough(),
    replyRate(),
    complaintRate(),
    unsubscribeRate(),
    conversionRate(),
  ];
}
