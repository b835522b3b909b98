import type { FakeCorp } from './corp.js';
import { type Answer, err, type FakeRequest, ok } from './route.js';

const MEDIA_TYPES = ['image', 'voice', 'video', 'file'] as const;
const MEDIA_LIMITS: Record<string, number> = {
  image: 10 << 20,
  voice: 2 << 20,
  video: 10 << 20,
  file: 20 << 20,
};
const MEDIA_TTL_MS = 3 * 24 * 3600_000;
const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);

/** `media/upload` (上传临时素材): multipart field `media`, 3 days. */
export async function mediaUpload(corp: FakeCorp, req: FakeRequest): Promise<Answer> {
  const type = req.query.type ?? '';
  if (!(MEDIA_TYPES as readonly string[]).includes(type)) return err(40005, 'invalid media type');
  const file = req.form?.get('media');
  if (!file || typeof file === 'string') return err(41009, 'missing media file');
  if (file.size < 5 || file.size > (MEDIA_LIMITS[type] ?? 0)) return err(40006, 'invalid file size');
  const id = corp.newId(`3${type[0]}`);
  const now = corp.now().getTime();
  corp.media.set(id, { type, size: file.size, filename: file.name, expiresAt: now + MEDIA_TTL_MS });
  return ok({ type, media_id: id, created_at: String(Math.floor(now / 1000)) });
}

/** Checks a message part as `message/send` documents it; an error answer, or undefined. */
function checkPayload(corp: FakeCorp, msgtype: string, part: Record<string, unknown>): Answer | undefined {
  switch (msgtype) {
    case 'text':
    case 'markdown':
      if (typeof part.content !== 'string' || part.content === '') return err(44004, 'empty content');
      if (bytes(part.content) > 2048) return err(45002, 'content size out of limit');
      return undefined;
    case 'textcard':
      if (!part.title || !part.description || !part.url)
        return err(41016, 'missing title, description or url');
      if (bytes(part.title) > 128 || bytes(part.description) > 512)
        return err(45002, 'content size out of limit');
      return undefined;
    case 'news': {
      const articles = part.articles;
      if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8)
        return err(40058, 'articles must hold 1 to 8 items');
      for (const a of articles as Record<string, unknown>[])
        if (!a.title || !a.url) return err(41016, 'missing title or url');
      return undefined;
    }
    case 'image':
    case 'voice':
    case 'video':
    case 'file': {
      const media = corp.media.get(String(part.media_id ?? ''));
      if (!media || media.expiresAt <= corp.now().getTime() || media.type !== msgtype)
        return err(40007, 'invalid media_id');
      return undefined;
    }
    default:
      return err(40008, 'invalid message type');
  }
}

/** `message/send` (发送应用消息) to members by `touser`. */
export function messageSend(corp: FakeCorp, req: FakeRequest): Answer {
  const b = req.body;
  const agentid = Number(b.agentid);
  if (!corp.options.apps.some((a) => a.agentId === agentid) || req.credential !== `app-${agentid}`)
    return err(40056, 'invalid agentid');
  const msgtype = String(b.msgtype ?? '');
  const part = b[msgtype];
  if (!part || typeof part !== 'object') return err(40008, 'invalid message type');
  const bad = checkPayload(corp, msgtype, part as Record<string, unknown>);
  if (bad) return bad;
  if (b.touser === '@all') return err(40031, 'the fake serves no @all');
  const touser = typeof b.touser === 'string' && b.touser !== '' ? b.touser.split('|') : [];
  if (touser.length === 0) return err(82001, 'all touser, toparty, totag are empty');
  if (touser.length > 1000) return err(40032, 'invalid userid list size');
  const invalid: string[] = [];
  const unlicensed: string[] = [];
  const reach: string[] = [];
  for (const raw of touser) {
    const member = corp.members.get(raw.toLowerCase());
    if (!member?.visible) invalid.push(raw.toLowerCase());
    else if (!member.licensed) unlicensed.push(raw.toLowerCase());
    else reach.push(member.userid.toLowerCase());
  }
  if (reach.length === 0) return err(81013, 'user & party & tag all invalid');
  const now = corp.now();
  const extra = {
    ...(invalid.length ? { invaliduser: invalid.join('|') } : {}),
    ...(unlicensed.length ? { unlicenseduser: unlicensed.join('|') } : {}),
  };
  // The same request within the interval is answered, and delivered to nobody.
  if (b.enable_duplicate_check === 1) {
    const interval = Math.min(Number(b.duplicate_check_interval ?? 1800) || 1800, 14_400);
    const key = `${agentid}:${JSON.stringify(b)}`;
    const seen = corp.duplicateUntil.get(key);
    if (seen && seen.until > now.getTime()) return ok({ ...extra, msgid: seen.msgid });
    const msgid = corp.newId('m');
    corp.duplicateUntil.set(key, { until: now.getTime() + interval * 1000, msgid });
    deliver(corp, agentid, reach, msgtype, part as Record<string, unknown>, msgid, now);
    return ok({ ...extra, msgid });
  }
  const msgid = corp.newId('m');
  deliver(corp, agentid, reach, msgtype, part as Record<string, unknown>, msgid, now);
  return ok({ ...extra, msgid });
}

function deliver(
  corp: FakeCorp,
  agentid: number,
  userids: string[],
  msgtype: string,
  payload: Record<string, unknown>,
  msgid: string,
  at: Date,
) {
  for (const userid of userids) {
    if (!corp.underMemberLimits(agentid, userid)) corp.dropped.push({ userid, agentid, at });
    else corp.inbox.push({ msgid, agentid, userid, msgtype, payload, at, recalled: false });
  }
}

/** `message/recall` (撤回应用消息): a message of the last 24 hours. */
export function messageRecall(corp: FakeCorp, req: FakeRequest): Answer {
  const msgid = String(req.body.msgid ?? '');
  const sent = corp.inbox.filter((m) => m.msgid === msgid && `app-${m.agentid}` === req.credential);
  if (sent.length === 0) return err(40035, 'invalid msgid');
  if (sent[0]!.at.getTime() < corp.now().getTime() - 24 * 3600_000)
    return err(40035, 'msgid older than 24 hours');
  for (const m of sent) m.recalled = true;
  return ok();
}
