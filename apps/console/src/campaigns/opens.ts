import type { OpensRow } from './breakdown-documents.js';

/** A mean time to open, at a readable scale: "45 s", "12 min", "3.5 h", "2.1 d". */
export function formatTimeToOpen(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/**
 * The channels worth a line: those with an open, and e-mail when its open pixel is on (a 0 % there
 * means nobody opened, not that opens are unknown). Others report no reads: showing them 0 % would mislead.
 */
export function openRows(rows: readonly OpensRow[], openPixel: boolean): OpensRow[] {
  return rows.filter((r) => r.opened > 0 || (openPixel && /email/.test(r.channel) && r.reached > 0));
}
