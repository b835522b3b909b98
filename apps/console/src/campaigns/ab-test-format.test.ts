import { describe, expect, it } from 'vitest';
import { formatDifference, formatPValue, formatRate } from './ab-test-format.js';

describe('A/B test figures', () => {
  it('shows rates as percentages and differences in signed percentage points', () => {
    expect(formatRate(0.9534)).toBe('95.3%');
    expect(formatRate(null)).toBe('—');
    expect(formatDifference(0.025)).toBe('+2.5 pp');
    expect(formatDifference(-0.1)).toBe('−10.0 pp');
    expect(formatDifference(null)).toBe('—');
  });

  it('writes small p-values as < 0.001', () => {
    expect(formatPValue(1.9e-9)).toBe('< 0.001');
    expect(formatPValue(0.0337)).toBe('0.034');
    expect(formatPValue(null)).toBe('—');
  });
});
