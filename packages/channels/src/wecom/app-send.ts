import type { OutboundMessage, SendContext, SendOutcome } from '@qunfa/core';
import type { WecomClient } from './client.js';
import type { AppBody } from './content.js';
import { type ClassifiedFailure, classifyWecomError, WecomApiError, WecomNetworkError } from './errors.js';
import { forgetMedia, MediaUnavailableError, mediaIdFor } from './media.js';
import { refundMemberQuota, takeMemberQuota } from './member-quota.js';
import type { WecomConfig } from './options.js';

/** `touser` takes at most 1,000 members a call (发送应用消息). */
export const TOUSER_MAX = 1000;

/** Messages of one batch with the same application message, to members. */
export interface AppGroup {
  body: AppBody;
  messages: { message: OutboundMessage; userid: string }[];
}

export interface AppSender {
  config: WecomConfig;
  agentId: number;
  /** The app's credential label, which also keys its uploaded media. */
  label: string;
  client: WecomClient;
}

/** The provider message id of an application message: the app and WeCom's `msgid` (what `message/recall` takes). */
export const appMessageId = (agentId: number, msgid: string) => `app:${agentId}:${msgid}`;

export function parseAppMessageId(id: string): { agentId: number; msgid: string } | undefined {
  const m = /^app:(\d+):(.+)$/.exec(id);
  return m ? { agentId: Number(m[1]), msgid: m[2]! } : undefined;
}

const failed = (ids: readonly string[], f: ClassifiedFailure): SendOutcome[] =>
  ids.map((id) => ({ id, status: 'failed', ...f }));

/**
 * Sends one group as application messages (`message/send`): media uploaded once, members over
 * their per-member quota held back, the rest in calls of at most 1,000 `touser` joined by `|`,
 * each with `enable_duplicate_check` so the same call made again (a retried batch) is not
 * delivered twice. `invaliduser` and `unlicenseduser` fail exactly those members.
 */
export async function sendAppGroup(
  sender: AppSender,
  group: AppGroup,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { config, agentId, client, label } = sender;
  const ids = group.messages.map((m) => m.message.id);
  let mediaId: string | undefined;
  const resolveMedia = async () => {
    if (group.body.media) mediaId = await mediaIdFor(client, label, group.body.media, ctx, config);
  };
  try {
    await resolveMedia();
  } catch (error) {
    if (error instanceof MediaUnavailableError)
      return failed(ids, { failure: 'content_rejected', error: error.message });
    return failed(ids, classifyWecomError(error, { shared: true }));
  }

  const settings = {
    channel: config.name,
    agentId,
    perMinute: config.memberPerMinute,
    perHour: config.memberPerHour,
  };
  const verdict = await takeMemberQuota(
    ctx.limiter,
    settings,
    group.messages.map((m) => m.userid),
    ctx.now(),
  );
  const heldAfter = new Map(verdict.held.map((h) => [h.userid, h.retryAfterMs]));
  const outcomes: SendOutcome[] = [];
  const sendable: AppGroup['messages'] = [];
  const granted = new Set(verdict.allowed);
  for (const m of group.messages) {
    const wait = heldAfter.get(m.userid);
    if (wait !== undefined && !granted.has(m.userid)) {
      outcomes.push({
        id: m.message.id,
        status: 'failed',
        failure: 'rate_limited',
        error: `WeCom's per-member limit (${config.memberPerMinute}/min, ${config.memberPerHour}/h) reached`,
        retryAfterMs: wait,
      });
    } else sendable.push(m);
  }

  for (let i = 0; i < sendable.length; i += TOUSER_MAX) {
    const chunk = sendable.slice(i, i + TOUSER_MAX);
    outcomes.push(...(await sendChunk(sender, group.body, chunk, () => mediaId, resolveMedia, ctx)));
  }
  return outcomes;
}

async function sendChunk(
  sender: AppSender,
  body: AppBody,
  chunk: AppGroup['messages'],
  mediaId: () => string | undefined,
  reupload: () => Promise<void>,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { config, agentId, client, label } = sender;
  const touser = [...new Set(chunk.map((m) => m.userid))];
  const request = () => ({
    touser: touser.join('|'),
    msgtype: body.msgtype,
    agentid: agentId,
    [body.msgtype]: { ...body.fields, ...(body.media ? { media_id: mediaId() } : {}) },
    safe: 0,
    enable_duplicate_check: 1,
    duplicate_check_interval: config.duplicateCheckIntervalSec,
  });
  let answer: Record<string, unknown>;
  try {
    try {
      answer = await client.post('/cgi-bin/message/send', request(), ctx);
    } catch (error) {
      // An uploaded media id WeCom no longer knows (expired early): upload again, once.
      if (
        !(
          error instanceof WecomApiError &&
          error.errcode === 40007 &&
          body.media &&
          !body.media.source.startsWith('media:')
        )
      )
        throw error;
      await forgetMedia(label, body.media, ctx);
      await reupload();
      answer = await client.post('/cgi-bin/message/send', request(), ctx);
    }
  } catch (error) {
    // Refused calls delivered nothing: their quota goes back. A call with no answer may have
    // been delivered, so it keeps its units (the duplicate check covers its retry).
    if (!(error instanceof WecomNetworkError)) {
      const settings = {
        channel: config.name,
        agentId,
        perMinute: config.memberPerMinute,
        perHour: config.memberPerHour,
      };
      await refundMemberQuota(ctx.limiter, settings, touser, ctx.now());
    }
    const classified =
      error instanceof MediaUnavailableError
        ? { failure: 'content_rejected' as const, error: error.message }
        : classifyWecomError(error, { shared: chunk.length > 1 });
    return failed(
      chunk.map((m) => m.message.id),
      classified,
    );
  }
  const list = (v: unknown) =>
    new Set(typeof v === 'string' && v !== '' ? v.split('|').map((u) => u.toLowerCase()) : []);
  const invalid = list(answer.invaliduser);
  const unlicensed = list(answer.unlicenseduser);
  const msgid = typeof answer.msgid === 'string' ? answer.msgid : '';
  return chunk.map(({ message, userid }): SendOutcome => {
    const u = userid.toLowerCase();
    if (invalid.has(u))
      return {
        id: message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'WeCom: invaliduser (not a member the app can reach)',
      };
    if (unlicensed.has(u))
      return {
        id: message.id,
        status: 'failed',
        failure: 'invalid_recipient',
        error: 'WeCom: unlicenseduser (no basic interface licence)',
      };
    return {
      id: message.id,
      status: 'sent',
      ...(msgid ? { providerMessageId: appMessageId(agentId, msgid) } : {}),
    };
  });
}
