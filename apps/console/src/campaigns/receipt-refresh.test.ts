import { describe, expect, it } from 'vitest';
import { followsReceipts, RECEIPT_WINDOW_MS } from './receipt-refresh.js';

describe('followsReceipts', () => {
  const finished = '2026-11-26T02:00:00.000Z';
  const at = Date.parse(finished);
  it('follows a campaign for a day after it finished, not before it finished or after', () => {
    expect(followsReceipts(finished, at + 1000)).toBe(true);
    expect(followsReceipts(finished, at + RECEIPT_WINDOW_MS - 1)).toBe(true);
    expect(followsReceipts(finished, at + RECEIPT_WINDOW_MS)).toBe(false);
    expect(followsReceipts(null, at)).toBe(false);
    expect(followsReceipts('not a time', at)).toBe(false);
  });
});
