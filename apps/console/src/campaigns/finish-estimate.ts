/** One reading of a campaign's progress, by the client's clock when it was seen. */
export interface ProgressSample {
  atMs: number;
  settled: number;
}

export type FinishEstimate =
  | { kind: 'finished'; atMs: number | null }
  | { kind: 'eta'; atMs: number }
  /** Nothing moves, and the first waiting recipients go on at `atMs` (quiet hours, a schedule…). */
  | { kind: 'not-before'; atMs: number }
  | { kind: 'unknown' };

/** How far back the rate is measured: long enough to smooth batches, short enough to follow a change. */
export const RATE_WINDOW_MS = 60_000;

/**
 * When the campaign will have settled every recipient, at the pace of the last minute.
 * With no pace, the earliest time a wait ends, if any; a finished one says so.
 */
export function estimateFinish(
  samples: readonly ProgressSample[],
  total: number,
  options: { finishedAtMs: number | null; ended: boolean; waitUntilMs: readonly number[]; nowMs: number },
): FinishEstimate {
  if (options.ended) return { kind: 'finished', atMs: options.finishedAtMs };
  const last = samples.at(-1);
  if (last && total > 0 && last.settled >= total) return { kind: 'finished', atMs: last.atMs };
  if (last) {
    const first = samples.find((s) => s.atMs >= last.atMs - RATE_WINDOW_MS) ?? last;
    const moved = last.settled - first.settled;
    const elapsed = last.atMs - first.atMs;
    if (moved > 0 && elapsed > 0) {
      return { kind: 'eta', atMs: last.atMs + ((total - last.settled) / moved) * elapsed };
    }
  }
  const future = options.waitUntilMs.filter((ms) => ms > options.nowMs);
  if (future.length > 0) return { kind: 'not-before', atMs: Math.min(...future) };
  return { kind: 'unknown' };
}

/** Appends a sample when the count changed, keeping a bounded history. */
export function addSample(
  samples: readonly ProgressSample[],
  sample: ProgressSample,
  max = 600,
): ProgressSample[] {
  const last = samples.at(-1);
  if (last && last.settled === sample.settled) return samples as ProgressSample[];
  const next = [...samples, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}
