import type { OutboundBatch, OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { OaClient } from './client.js';
import type { MassBody } from './content.js';
import { classifyOaError, OaApiError } from './errors.js';
import { clientMsgIdOf, deliveryRef, rememberJob } from './jobs.js';
import { recordMonthly, sendKeyOf } from './monthly-cap.js';
import type { WechatOaConfig } from './options.js';

/** Messages of a batch that carry the same content: one mass-send call. */
export interface MassGroup {
  body: MassBody;
  /** The body as a stable string: messages with the same one go out together. */
  key: string;
  messages: OutboundMessage[];
}

/** The documented bounds of an openid list (`touser`) in `message/mass/send`. */
export const MASS_MIN = 2;
export const MASS_MAX = 10_000;

const failedAll = (group: MassGroup, failure: SendOutcome & { status: 'failed' }): SendOutcome[] =>
  group.messages.map((m) => ({ ...failure, id: m.id }));

/**
 * Sends one group with `message/mass/send` (one call for all its openids), or, for a platform
 * job, with `message/mass/sendall` to the job's tag (whoever WeChat counts in it). A deterministic
 * `clientmsgid` makes WeChat drop a repeated call (45065 answers with the existing job's `msg_id`:
 * sent), and every recipient is sent "by job" under that `msg_id`.
 */
export async function sendMassGroup(
  config: WechatOaConfig,
  client: OaClient,
  batch: OutboundBatch,
  group: MassGroup,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const refused = batch.job ? undefined : listRefusal(config, group);
  if (refused) return failedAll(group, refused);
  const clientmsgid = groupClientMsgId(batch, group);
  const [path, audience] = batch.job
    ? ['/cgi-bin/message/mass/sendall', { filter: filterOf(batch.job.target) }]
    : ['/cgi-bin/message/mass/send', { touser: group.messages.map((m) => m.address) }];
  let msgId: string;
  try {
    const answer = await client.post(
      path,
      { ...audience, ...group.body, send_ignore_reprint: config.sendIgnoreReprint ? 1 : 0, clientmsgid },
      ctx,
    );
    msgId = String(answer.msg_id ?? '');
  } catch (error) {
    // A repeated call: WeChat already has this job and names it. It is ours, and sent.
    if (error instanceof OaApiError && error.errcode === 45065 && error.body.msg_id !== undefined) {
      msgId = String(error.body.msg_id);
    } else {
      const c = classifyOaError(error, { shared: true, now: ctx.now() });
      return failedAll(group, { id: '', status: 'failed', ...c });
    }
  }
  if (msgId === '') {
    return failedAll(group, {
      id: '',
      status: 'failed',
      failure: 'unknown',
      error: 'WeChat accepted the mass send without a msg_id',
    });
  }
  const openids = group.messages.map((m) => m.address);
  const sendKey = sendKeyOf(batch, group);
  await rememberJob(
    ctx.state,
    {
      msgId,
      deliveryIds: group.messages.map((m) => m.id),
      protected: config.massSendProtection,
      at: ctx.now().getTime(),
      ...(config.accountType === 'service' ? { openids, sendKey } : {}),
    },
    clientmsgid,
  );
  // Sent now, unless an administrator must confirm it first (then counted once WeChat sent it).
  if (config.accountType === 'service' && !config.massSendProtection)
    await recordMonthly(ctx.state, openids, sendKey, ctx.now());
  ctx.logger.info('mass send submitted', {
    msgId,
    recipients: group.messages.length,
    ...(batch.job ? { target: batch.job.target } : {}),
  });
  return group.messages.map((m) => ({
    id: m.id,
    status: 'sent',
    providerMessageId: deliveryRef(msgId, m.id),
    byJob: msgId,
    ...(config.massSendProtection ? { awaitingConfirmation: true } : {}),
  }));
}

/** `filter` of `mass/sendall`: `all` is every follower (`is_to_all`), otherwise a tag id. */
function filterOf(target: string): { is_to_all: boolean; tag_id?: number } {
  return target === 'all' ? { is_to_all: true } : { is_to_all: false, tag_id: Number(target) };
}

/** Whether a job target is one `mass/sendall` takes: `all` or a tag id. */
export const isJobTarget = (target: string) => target === 'all' || /^\d{1,10}$/.test(target);

/**
 * The group's deterministic `clientmsgid`: the batch's key, the content, and the openids — or,
 * for a job, its target (the tag, whoever WeChat counts in it).
 */
export function groupClientMsgId(batch: OutboundBatch, group: MassGroup): string {
  const audience = batch.job ? [`target:${batch.job.target}`] : group.messages.map((m) => m.address);
  return clientMsgIdOf(batch.idempotencyKey, group.key, audience);
}

/** Why an openid-list send cannot go out, or undefined when it can. */
function listRefusal(
  config: WechatOaConfig,
  group: MassGroup,
): (SendOutcome & { status: 'failed' }) | undefined {
  if (config.accountType === 'subscription') {
    return {
      id: '',
      status: 'failed',
      failure: 'invalid_recipient',
      error:
        'a subscription account cannot mass-send to an openid list (WeChat offers it to service accounts only): send to a tag as a platform job',
    };
  }
  if (group.messages.length < MASS_MIN) {
    return {
      id: '',
      status: 'failed',
      failure: 'invalid_recipient',
      error: `WeChat mass sends take ${MASS_MIN}–${MASS_MAX} openids: this content had one recipient in its batch (personalised content or tracked links cannot be mass-sent)`,
    };
  }
  return undefined;
}
