export { builtinMetrics } from './builtin-metrics.js';
export type { ClickThroughOptions } from './click-through.js';
export { clickThrough } from './click-through.js';
export type { CompletionOptions } from './completion.js';
export { completion } from './completion.js';
export type { DeliveryRateOptions } from './delivery-rate.js';
export { deliveryRate } from './delivery-rate.js';
export type { FailureRateOptions } from './failure-rate.js';
export { defaultFailureLevels, failureRate } from './failure-rate.js';
export type { FeedbackRateOptions } from './feedback-rates.js';
export { complaintRate, conversionRate, replyRate, unsubscribeRate } from './feedback-rates.js';
export type { GroupQuitRateOptions } from './group-health.js';
export {
  builtinGroupMetrics,
  defaultQuitRateLevels,
  groupJoins,
  groupLeaves,
  groupMembers,
  groupQuitRate,
} from './group-health.js';
export type { OpenRateOptions } from './open-rate.js';
export { openRate } from './open-rate.js';
export type { ThresholdLevels } from './thresholds.js';
