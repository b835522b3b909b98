import { describe, expect, it } from 'vitest';
import { msUntilQuotaReset, quotaDay } from './quota-day.js';

describe('quota day', () => {
  it('turns at midnight in Beijing, 16:00 UTC', () => {
    const before = new Date('2025-03-01T15:59:59.999Z');
    const after = new Date('2025-03-01T16:00:00.000Z');
    expect(quotaDay(after)).toBe(quotaDay(before) + 1);
    expect(msUntilQuotaReset(before)).toBe(1);
    expect(msUntilQuotaReset(after)).toBe(24 * 60 * 60 * 1000);
  });
});
