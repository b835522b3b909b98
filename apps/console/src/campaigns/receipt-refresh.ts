/** How often a finished campaign's page re-reads it while receipts may still arrive. */
export const RECEIPT_REFRESH_MS = 15_000;

/** Receipts of SMS and WeChat arrive within hours; reads and clicks mostly within a day. */
export const RECEIPT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Whether a campaign that finished at `finishedAt` (ISO time) may still be receiving receipts. */
export function followsReceipts(finishedAt: string | null, now: number): boolean {
  if (finishedAt === null) return false;
  const at = Date.parse(finishedAt);
  return !Number.isNaN(at) && now - at < RECEIPT_WINDOW_MS;
}
