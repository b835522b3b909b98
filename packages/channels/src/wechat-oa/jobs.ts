import { createHash } from 'node:crypto';
import type { PluginState } from '@qunfa/core';

/**
 * What the channel remembers of one mass-send job (`msg_id`): the deliveries it carried, so the
 * job's result (`MASSSENDJOBFINISH`, `mass/get`) can be applied to exactly them. WeChat reports
 * a job as a whole, never per openid.
 */
export interface OaJob {
  msgId: string;
  deliveryIds: string[];
  /** Sent while mass-send protection was on: an administrator must confirm it. */
  protected: boolean;
  /** Epoch ms of the submission. */
  at: number;
  /** The followers it was sent to (a job: the batch's), for the monthly 4 once WeChat sent it. */
  openids?: string[];
  /** The send it was, for the monthly 4 (see `sendKeyOf`). */
  sendKey?: string;
}

/** WeChat keeps `clientmsgid` 24 h and a job's status a while after; a week covers both. */
const JOB_TTL_MS = 7 * 24 * 3600 * 1000;

const jobKey = (msgId: string) => `job/${msgId}`;
const clientKey = (clientMsgId: string) => `clientmsgid/${clientMsgId}`;

/** The deterministic `clientmsgid` of one call (≤ 64 bytes): a retry of the same call repeats it. */
export function clientMsgIdOf(
  idempotencyKey: string,
  contentKey: string,
  openids: readonly string[],
): string {
  const hash = createHash('sha256')
    .update(idempotencyKey)
    .update('\0')
    .update(contentKey)
    .update('\0')
    .update([...openids].sort().join(','))
    .digest('hex');
  return `qf${hash.slice(0, 62)}`;
}

export async function rememberJob(state: PluginState, job: OaJob, clientMsgId: string): Promise<void> {
  await state.set(jobKey(job.msgId), job, JOB_TTL_MS);
  await state.set(clientKey(clientMsgId), job.msgId, JOB_TTL_MS);
  if (job.protected) await editPending(state, (ids) => (ids.includes(job.msgId) ? ids : [...ids, job.msgId]));
}

const PENDING = 'jobs/awaiting-confirmation';
const PENDING_LOCK = 'jobs/awaiting-confirmation-lock';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Protected jobs whose verdict (sent, refused, timed out) has not been applied yet, oldest first. */
export async function pendingJobIds(state: PluginState): Promise<string[]> {
  return (await state.get<string[]>(PENDING)) ?? [];
}

/** Takes jobs off the pending list once their verdict was reported. */
export async function settleJobs(state: PluginState, msgIds: readonly string[]): Promise<void> {
  if (msgIds.length === 0) return;
  const done = new Set(msgIds);
  await editPending(state, (ids) => ids.filter((id) => !done.has(id)));
}

/** Edits the pending list under a lock in the shared state: workers and the API add and settle jobs at once. */
async function editPending(state: PluginState, edit: (ids: string[]) => string[]): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await state.setIfAbsent(PENDING_LOCK, true, 5000)) {
      try {
        await state.set(PENDING, edit(await pendingJobIds(state)), JOB_TTL_MS);
        return;
      } finally {
        await state.delete(PENDING_LOCK);
      }
    }
    await sleep(10);
  }
  throw new Error(`${PENDING_LOCK} stayed locked`);
}

export function jobOf(state: PluginState, msgId: string): Promise<OaJob | undefined> {
  return state.get<OaJob>(jobKey(msgId));
}

export function msgIdOf(state: PluginState, clientMsgId: string): Promise<string | undefined> {
  return state.get<string>(clientKey(clientMsgId));
}

/** The provider message id of one delivery in a job: unique per delivery, the job's `msg_id` first. */
export const deliveryRef = (msgId: string, deliveryId: string) => `${msgId}:${deliveryId}`;
