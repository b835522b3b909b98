import type { FakeAccount } from './account.js';
import { type Answer, err, type FakeRequest, ok, type Route } from './route.js';

const CLIENTMSGID_WINDOW_MS = 24 * 3600_000;

/** The message part of a mass send: `msgtype` and its object, media ids known to the account. */
function checkMessage(account: FakeAccount, body: Record<string, unknown>): Answer | undefined {
  const msgtype = body.msgtype;
  const part = (name: string) => body[name] as Record<string, unknown> | undefined;
  switch (msgtype) {
    case 'text': {
      const content = part('text')?.content;
      if (typeof content !== 'string' || content === '') return err(44004, 'empty content');
      return undefined;
    }
    case 'mpnews':
    case 'voice':
    case 'mpvideo': {
      const id = part(msgtype)?.media_id;
      if (typeof id !== 'string' || !account.media.has(id)) return err(40007, 'invalid media_id');
      return undefined;
    }
    case 'image': {
      const ids = part('images')?.media_ids;
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => account.media.has(String(id)))) {
        return err(40007, 'invalid media_id');
      }
      return undefined;
    }
    default:
      return err(40008, 'invalid message type');
  }
}

/** A repeated `clientmsgid` within 24 h: 45065 with the existing job's `msg_id`. */
function duplicate(account: FakeAccount, clientmsgid: unknown): Answer | undefined {
  if (clientmsgid === undefined) return undefined;
  if (typeof clientmsgid !== 'string' || Buffer.byteLength(clientmsgid) > 64) {
    return err(45067, 'clientmsgid size out of limit');
  }
  const since = account.now().getTime() - CLIENTMSGID_WINDOW_MS;
  const existing = [...account.jobs.values()].find(
    (j) => j.clientmsgid === clientmsgid && j.createdAt > since,
  );
  return existing ? err(45065, 'clientmsgid exist', { msg_id: existing.msgId }) : undefined;
}

function submitted(account: FakeAccount, req: FakeRequest, openids: string[]): Answer {
  const clientmsgid =
    typeof req.body.clientmsgid === 'string' ? req.body.clientmsgid : `auto-${account.nextMsgId}`;
  const job = account.createJob(openids, clientmsgid);
  return {
    errcode: 0,
    errmsg: 'send job submission success',
    msg_id: job.msgId,
    ...(req.body.msgtype === 'mpnews' ? { msg_data_id: job.msgId + 1_000_000_000 } : {}),
  };
}

/** `message/mass/send`: 2–10,000 openids, service accounts only. */
export const massSend: Route = (account, req) => {
  if (account.options.accountType !== 'service') return err(48001, 'api unauthorized');
  const touser = req.body.touser;
  if (!Array.isArray(touser) || touser.length < 2) {
    return err(40130, 'invalid openid list size, at least two openid');
  }
  if (touser.length > 10_000) return err(40032, 'invalid openid list size');
  return (
    duplicate(account, req.body.clientmsgid) ??
    checkMessage(account, req.body) ??
    submitted(account, req, touser.map(String))
  );
};

/** `message/mass/sendall`: all followers or a tag; a subscription account once a day. */
export const massSendAll: Route = (account, req) => {
  const filter = req.body.filter as { is_to_all?: unknown; tag_id?: unknown } | undefined;
  if (!filter || typeof filter.is_to_all !== 'boolean') return err(40035, 'invalid args');
  const tagId = Number(filter.tag_id);
  if (!filter.is_to_all && !account.tags.has(tagId)) return err(40050, 'invalid tag id');
  const dup = duplicate(account, req.body.clientmsgid);
  if (dup) return dup;
  const bad = checkMessage(account, req.body);
  if (bad) return bad;
  const day = account.dayOf();
  if (account.options.accountType === 'subscription' && (account.sendAllByDay.get(day) ?? 0) >= 1) {
    return err(45028, 'has no masssend quota');
  }
  account.sendAllByDay.set(day, (account.sendAllByDay.get(day) ?? 0) + 1);
  const openids = [...account.followers.values()]
    .filter((f) => filter.is_to_all || f.tagIds.includes(tagId))
    .map((f) => f.openid);
  return submitted(account, req, openids);
};

/** `message/mass/get`. */
export const massGet: Route = (account, req) => {
  const found = account.jobs.get(Number(req.body.msg_id));
  if (!found) return err(40059, 'invalid msg id');
  const job = account.settle(found);
  const status =
    job.state === 'awaiting_confirmation' ? 'SENDING' : job.state === 'sent' ? 'SEND_SUCCESS' : 'SEND_FAIL';
  return { msg_id: job.msgId, msg_status: status };
};

/** `message/template/send`: one follower; `client_msg_id` drops a repeat for 10 minutes. */
export const templateSend: Route = (account, req) => {
  const { touser, template_id: templateId, data, client_msg_id: clientMsgId } = req.body;
  if (typeof touser !== 'string' || !account.followers.has(touser)) return err(40003, 'invalid openid');
  if (typeof templateId !== 'string' || !account.templates.has(templateId))
    return err(40037, 'invalid template_id');
  if (!data || typeof data !== 'object') return err(47001, 'data format error');
  if (typeof clientMsgId === 'string') {
    const seen = account.templateSends.get(`${touser}|${clientMsgId}`);
    if (seen !== undefined) return ok({ msgid: seen });
  }
  const msgid = account.nextTemplateMsgId++;
  if (typeof clientMsgId === 'string') account.templateSends.set(`${touser}|${clientMsgId}`, msgid);
  return ok({ msgid });
};

/** `message/subscribe/bizsend`: a subscription notice, service accounts only. */
export const subscribeSend: Route = (account, req) => {
  if (account.options.accountType !== 'service') return err(48001, 'api unauthorized');
  const { touser, template_id: templateId, data } = req.body;
  if (typeof touser !== 'string' || !account.followers.has(touser)) return err(40003, 'invalid openid');
  if (typeof templateId !== 'string' || !account.templates.has(templateId))
    return err(40037, 'invalid template_id');
  if (!data || typeof data !== 'object') return err(47003, 'argument invalid');
  return ok();
};
