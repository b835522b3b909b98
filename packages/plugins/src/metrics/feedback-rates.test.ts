import { emptyCounters, metricStatus } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { complaintRate, conversionRate, replyRate, unsubscribeRate } from './feedback-rates.js';

const reached = { ...emptyCounters(), total: 1000, sent: 600, delivered: 300, read: 50, clicked: 50 };

describe('feedback rates', () => {
  it('are shares of reached recipients, null without feedback counts or anything reached', () => {
    const c = { ...reached, feedback: { replied: 40, complained: 2, unsubscribed: 25, converted: 31 } };
    expect(replyRate().compute(c)).toBe(4);
    expect(complaintRate().compute(c)).toBe(0.2);
    expect(unsubscribeRate().compute(c)).toBe(2.5);
    expect(conversionRate().compute(c)).toBe(3.1);
    for (const m of [replyRate(), complaintRate(), unsubscribeRate(), conversionRate()]) {
      expect(m.compute(reached), m.name).toBeNull();
      expect(m.compute({ ...emptyCounters(), feedback: c.feedback }), m.name).toBeNull();
    }
  });

  it('colour by their defaults and by levels a workspace or config sets', () => {
    const complaints = complaintRate();
    expect(metricStatus(complaints, 0.1)).toBe('good');
    expect(metricStatus(complaints, 0.2)).toBe('warn');
    expect(metricStatus(complaints, 0.31)).toBe('alarm');
    expect(metricStatus(conversionRate(), 0.5)).toBe('alarm');
    expect(metricStatus(replyRate(), 50)).toBe('none');
    const strict = complaintRate({ thresholds: { good: 0.01, alarm: 0.05 } });
    expect(metricStatus(strict, 0.1)).toBe('alarm');
    expect(() => complaintRate({ thresholds: { good: 1, alarm: 0.5 } })).toThrow(
      /good must be at most alarm/,
    );
  });
});
