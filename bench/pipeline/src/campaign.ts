import type { App } from '@qunfa/api/src/app.js';
import { createCampaign } from '@qunfa/api/src/services/campaign-edits.js';
import { settledCount } from '@qunfa/core';

export interface CampaignRun {
  /** From the start command (planning included) to the campaign's completion. */
  seconds: number;
  planSeconds: number;
  sent: number;
  failed: number;
}

/**
 * Creates and starts a campaign to every contact of the workspace on `channel:instant`, then
 * polls its counters until it completes; `onProgress` sees the settled count on each poll.
 */
export async function runCampaign(
  app: App,
  workspaceId: number,
  onProgress: (settled: number) => void = () => {},
): Promise<CampaignRun> {
  const escalate = Boolean(process.env.BENCH_ESCALATE);
  const principal = { workspaceId, role: 'admin' as const, keyId: 0, keyName: 'bench' };
  const campaign = await createCampaign(app.deps, principal, {
    name: `bench ${new Date().toISOString()}`,
    audience: { all: true },
    variants: [{ key: 'A', content: { text: '会员日快乐' } }],
    // BENCH_ESCALATE=1: a window as a fallback plan has one (move to the next step unless read
    // within 2 hours; nothing is read here, and nobody waits 2 hours: every sweep finds all in it).
    channelPlan: escalate
      ? [
          { channel: 'channel:instant', escalateAfterMs: 2 * 3_600_000, escalateUnless: 'read' as const },
          { channel: 'channel:instant-later' },
        ]
      : [{ channel: 'channel:instant' }],
  });
  const id = String(campaign.id);
  const t0 = performance.now();
  await app.deps.engine.start({
    workspaceId: String(workspaceId),
    campaignId: id,
    actor: { kind: 'user', id: 'bench' },
  });
  const planSeconds = (performance.now() - t0) / 1000;
  for (;;) {
    const counters = await app.deps.store.counters(id);
    onProgress(settledCount(counters));
    // With a window the campaign stays running for its 2 hours: the run ends when all are sent,
    // and the campaign is cancelled (nothing is left to send) so no later run's worker sweeps it.
    const sentAll = escalate && counters.total > 0 && settledCount(counters) >= counters.total;
    if (sentAll && (await app.deps.store.getCampaign(id))?.state === 'running') {
      await app.deps.engine.cancel({
        workspaceId: String(workspaceId),
        campaignId: id,
        actor: { kind: 'user', id: 'bench' },
      });
    }
    if (sentAll || (await app.deps.store.getCampaign(id))?.state === 'completed') {
      return {
        seconds: (performance.now() - t0) / 1000,
        planSeconds,
        sent: counters.sent,
        failed: counters.failed,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
