import { type DeliveryEvent, type PluginState, type PollContext, whenRecorded } from '@qunfa/core';
import type { OaClient } from './client.js';
import type { JobOutcome } from './job-status.js';
import { deliveryRef, jobOf, type OaJob, pendingJobIds, settleJobs } from './jobs.js';
import { recordMonthly } from './monthly-cap.js';
import type { WechatOaConfig } from './options.js';

/** WeChat drops a protected mass send no administrator confirmed within 30 minutes (API 群发保护). */
export const CONFIRMATION_WINDOW_MS = 30 * 60_000;
/** Past the window, how long the job's push may still come before `mass/get` is asked. */
const PUSH_GRACE_MS = 10 * 60_000;
/** Without a push configured, `mass/get` is asked this soon after the window. */
const NO_PUSH_GRACE_MS = 60_000;
/** A job still `SENDING` after the window (confirmed, still going out) is asked again this often. */
const REPOLL_MS = 5 * 60_000;
/** Jobs asked about in one poll at most (`mass/get` allows 60 mass-send calls a minute in all). */
const JOBS_PER_POLL = 20;

const pollKey = (msgId: string) => `job-poll/${msgId}`;

/**
 * What a job's verdict says of each delivery it carried. A successful job says nothing about any
 * one follower: only a protected job's deliveries move, from awaiting confirmation to sent (an
 * administrator confirmed it), never to delivered. A stopped job fails every delivery it carried.
 */
export function jobEvents(job: OaJob, outcome: JobOutcome, at: Date): DeliveryEvent[] {
  if (outcome.kind === 'sent') {
    return job.protected
      ? job.deliveryIds.map((id) => ({ providerMessageId: deliveryRef(job.msgId, id), state: 'sent', at }))
      : [];
  }
  return job.deliveryIds.map((id) => ({
    providerMessageId: deliveryRef(job.msgId, id),
    state: 'failed',
    at,
    failure: outcome.failure,
    error: outcome.error,
  }));
}

/** A protected job WeChat sent counts against its followers' monthly 4 from now. */
export async function recordVerdict(state: PluginState, job: OaJob, outcome: JobOutcome, now: Date) {
  if (outcome.kind === 'sent' && job.protected && job.openids && job.sendKey)
    await recordMonthly(state, job.openids, job.sendKey, now);
}

/** `msg_status` of `message/mass/get` as a verdict; undefined while the job is still going. */
function statusVerdict(status: string): JobOutcome | undefined {
  switch (status) {
    case 'SEND_SUCCESS':
    case 'DELETE':
      return { kind: 'sent' };
    case 'SEND_FAIL':
      // mass/get does not say why: refused, never confirmed, or stopped by review. Nothing went
      // out, but an unexplained failure is not handed to the next step by itself.
      return {
        kind: 'failed',
        failure: 'unknown',
        error:
          'WeChat says the protected mass send failed (mass/get: SEND_FAIL; refused, not confirmed within 30 minutes, or stopped) and its push never came',
      };
    default:
      return undefined;
  }
}

/**
 * The verdicts of protected jobs whose push (`MASSSENDJOBFINISH`) has not come by the end of their
 * confirmation window (and a grace for the push): asked of `message/mass/get`. Their deliveries
 * wait in `awaiting_confirmation`, held by the engine until this or the push reports them, so a
 * lost push never leaves a campaign running for ever, and nothing moves on while WeChat may still send.
 */
export async function pollPendingJobs(
  config: WechatOaConfig,
  client: OaClient,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  const now = ctx.now().getTime();
  const grace = config.callback ? PUSH_GRACE_MS : NO_PUSH_GRACE_MS;
  const events: DeliveryEvent[] = [];
  const done: string[] = [];
  let asked = 0;
  for (const msgId of await pendingJobIds(ctx.state)) {
    const job = await jobOf(ctx.state, msgId);
    if (!job) {
      done.push(msgId);
      continue;
    }
    const dueAt = Math.max(
      job.at + CONFIRMATION_WINDOW_MS + grace,
      (await ctx.state.get<number>(pollKey(msgId))) ?? 0,
    );
    if (now < dueAt || asked >= JOBS_PER_POLL || ctx.signal.aborted) continue;
    asked++;
    let status: string;
    try {
      const answer = await client.post('/cgi-bin/message/mass/get', { msg_id: msgId }, ctx);
      status = String(answer.msg_status ?? '');
    } catch (error) {
      ctx.logger.warn('mass/get of a protected job failed', {
        msgId,
        error: error instanceof Error ? error.message : String(error),
      });
      await ctx.state.set(pollKey(msgId), now + REPOLL_MS, CONFIRMATION_WINDOW_MS * 48);
      continue;
    }
    const verdict = statusVerdict(status);
    if (!verdict) {
      await ctx.state.set(pollKey(msgId), now + REPOLL_MS, CONFIRMATION_WINDOW_MS * 48);
      continue;
    }
    ctx.logger.info('protected mass send settled by mass/get', { msgId, status });
    await recordVerdict(ctx.state, job, verdict, new Date(now));
    events.push(...jobEvents(job, verdict, new Date(now)));
    done.push(msgId);
  }
  // Off the pending list only once the engine recorded the verdicts: a poll that dies before loses none.
  await whenRecorded(ctx, () => settleJobs(ctx.state, done));
  return events;
}
