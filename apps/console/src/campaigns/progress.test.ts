import { describe, expect, it } from 'vitest';
import { formatMetricValue, formatPercent, formatProgress, metricTone, progressPercent } from './progress.js';

describe('progressPercent', () => {
  it('is the settled share of the total', () => {
    expect(progressPercent(250, 1000)).toBe(25);
    expect(progressPercent(1000, 1000)).toBe(100);
  });

  it('is 0 for an empty campaign and clamps to 0–100', () => {
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(5, 0)).toBe(0);
    expect(progressPercent(-1, 10)).toBe(0);
    expect(progressPercent(11, 10)).toBe(100);
  });
});

describe('formatPercent / formatProgress', () => {
  it('shows one decimal and rounds down', () => {
    expect(formatPercent(42.46)).toBe('42.4%');
    expect(formatPercent(99.99)).toBe('99.9%');
    expect(formatPercent(100)).toBe('100.0%');
  });

  it('formats settled / total with the share', () => {
    expect(formatProgress(420, 1000)).toBe('420 / 1000 (42.0%)');
    expect(formatProgress(0, 0)).toBe('0 / 0 (0.0%)');
  });
});

describe('formatMetricValue', () => {
  it('shows a dash for a missing value', () => {
    expect(formatMetricValue(null, '%')).toBe('—');
    expect(formatMetricValue(Number.NaN, '%')).toBe('—');
  });

  it('knows percentages, ratios and counts', () => {
    expect(formatMetricValue(96.25, '%')).toBe('96.3%');
    expect(formatMetricValue(0.9625, 'ratio')).toBe('96.3%');
    expect(formatMetricValue(12, 'count')).toBe('12');
    expect(formatMetricValue(1.5, 's')).toBe('1.50 s');
  });
});

describe('metricTone', () => {
  it('maps each status to a colour modifier', () => {
    expect(['GOOD', 'WARN', 'ALARM', 'NONE'].map((s) => metricTone(s as never))).toEqual([
      'good',
      'warn',
      'alarm',
      'none',
    ]);
  });
});
