/** A sweep that took longer than this waits before the next of its campaign. */
const SLOW_SWEEP_MS = 100;
/** …for this many times its own duration: sweeping takes at most ~1/(1 + PAUSE_FACTOR) of the time. */
const PAUSE_FACTOR = 10;

/**
 * Paces the escalation sweeps per campaign (after each settlement and on each tick). A sweep
 * reads every delivery its windows watch, so its cost grows with the campaign; one after every
 * batch made a campaign with a window cost the square of its size (bench/pipeline
 * `BENCH_ESCALATE`), and at a million recipients a sweep takes seconds. A campaign whose last
 * sweep took over `SLOW_SWEEP_MS` is swept again only after `PAUSE_FACTOR` times that, in real
 * time (a window is minutes or hours; a recipient moves at most that much later). Fast sweeps —
 * every campaign of ordinary size — run as before.
 */
export type SweepPacer = ReturnType<typeof createSweepPacer>;

export function createSweepPacer(now: () => number = () => performance.now()) {
  const next = new Map<string, number>();
  return {
    due(campaignId: string): boolean {
      const at = next.get(campaignId);
      return at === undefined || now() >= at;
    },
    swept(campaignId: string, tookMs: number): void {
      if (tookMs <= SLOW_SWEEP_MS) {
        next.delete(campaignId);
        return;
      }
      // Campaigns that ended while paced are never swept again: their entries go here (rare: slow sweeps only).
      const at = now();
      for (const [id, due] of next) if (due <= at) next.delete(id);
      next.set(campaignId, at + tookMs * PAUSE_FACTOR);
    },
  };
}
