/** A rate of 0–1 as a percentage with one decimal; a dash without data. */
export function formatRate(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** A difference of two rates (0–1) in percentage points, signed. */
export function formatDifference(difference: number | null): string {
  if (difference === null || !Number.isFinite(difference)) return '—';
  const points = difference * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pp`;
}

/** A p-value as statisticians write it: three decimals, or "< 0.001". */
export function formatPValue(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
