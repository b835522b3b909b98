/** The kernel counts segments for cost forecasts too: one definition, re-exported for the SMS rules. */
export { SMS_LONG_SEGMENT, SMS_SINGLE_SEGMENT, smsSegments } from '@qunfa/core';
