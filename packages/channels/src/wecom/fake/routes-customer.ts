import type { FakeCorp } from './corp.js';
import { type Answer, err, type FakeRequest, ok } from './route.js';

const secs = (d: Date) => Math.floor(d.getTime() / 1000);
const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram', 'video', 'file'];

/** Customer-contact APIs need the customer-contact secret's token or an app's (可调用应用). */
const allowed = (req: FakeRequest) => req.credential === 'contact' || req.credential.startsWith('app-');

function page<T>(items: T[], req: FakeRequest, max: number) {
  const limit = Math.min(Number(req.body.limit ?? max) || max, max);
  const offset = Number(req.body.cursor ?? 0) || 0;
  const slice = items.slice(offset, offset + limit);
  return { slice, next_cursor: offset + limit < items.length ? String(offset + limit) : '' };
}

/** `externalcontact/add_msg_template` (创建企业群发). */
export function addMsgTemplate(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const b = req.body;
  const chatType = (b.chat_type ?? 'single') as string;
  if (chatType !== 'single' && chatType !== 'group') return err(40058, 'invalid chat_type');
  const sender = typeof b.sender === 'string' ? b.sender : '';
  const attachments = Array.isArray(b.attachments) ? (b.attachments as Record<string, unknown>[]) : [];
  const text = (b.text as { content?: string } | undefined)?.content ?? '';
  if (text === '' && attachments.length === 0) return err(41016, 'text or attachments required');
  if (Buffer.byteLength(text, 'utf8') > 4000) return err(45002, 'content size out of limit');
  if (attachments.length > 9) return err(40058, 'at most 9 attachments');
  for (const a of attachments) {
    const type = String(a.msgtype ?? '');
    if (!ATTACHMENT_TYPES.includes(type) || !a[type]) return err(40008, 'invalid attachment msgtype');
    const mediaId = (a[type] as { media_id?: string }).media_id;
    if ((type === 'image' || type === 'video' || type === 'file') && mediaId !== undefined) {
      const media = corp.media.get(mediaId);
      if (!media || media.expiresAt <= corp.now().getTime()) return err(40007, 'invalid media_id');
    }
  }
  if (chatType === 'group') {
    if (sender === '') return err(40058, 'sender required for chat_type group');
    const chats = Array.isArray(b.chat_id_list)
      ? (b.chat_id_list as string[])
      : [...corp.groups.values()].filter((g) => g.owner === sender).map((g) => g.chatId);
    if (chats.length > 2000) return err(40058, 'chat_id_list holds at most 2000');
    const mine = chats.filter((id) => corp.groups.get(id)?.owner === sender);
    if (mine.length === 0) return err(41048, 'no customer groups to send');
    return createTask(corp, sender, 'group', mine, b, []);
  }
  const externals = Array.isArray(b.external_userid) ? (b.external_userid as string[]) : [];
  if (externals.length > 10_000) return err(40058, 'external_userid holds at most 10000');
  if (sender === '' && externals.length === 0) return err(41048, 'no customers to send');
  const targets = externals.filter((e) => sender === '' || corp.customers.isFriend(e, sender));
  const failList = externals.filter((e) => !targets.includes(e));
  if (targets.length === 0) return err(41048, 'no customers to send', { fail_list: failList });
  return createTask(corp, sender, 'single', targets, b, failList);
}

function createTask(
  corp: FakeCorp,
  sender: string,
  chatType: 'single' | 'group',
  targets: string[],
  content: Record<string, unknown>,
  failList: string[],
): Answer {
  const msgid = corp.newId('msg');
  corp.customers.tasks.set(msgid, {
    msgid,
    sender,
    chatType,
    targets,
    content,
    createdAt: corp.now(),
    status: 0,
    cancelled: false,
    reminders: [],
    results: new Map(targets.map((t) => [t, { status: 0 as const }])),
  });
  return ok({ fail_list: failList, msgid });
}

/**
 * `externalcontact/get_groupmsg_list_v2` (获取群发记录列表): by time range (at most a month),
 * `chat_type`, `filter_type` (0 企业发表, 1 个人发表, 2 all, the default) and `creator`; pages of
 * `limit` (default 50, over 100 → 50). Every task the fake holds was made through the API
 * (企业发表, `create_type` 0), and WeCom returns no `creator` for those: a `creator` filter finds none.
 */
export function getGroupmsgListV2(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const b = req.body;
  const start = Number(b.start_time);
  const end = Number(b.end_time);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start)
    return err(40058, 'invalid time range');
  if (end - start > 31 * 86_400) return err(40058, 'the time range is at most one month');
  const chatType = (b.chat_type ?? 'single') as string;
  const filterType = b.filter_type === undefined ? 2 : Number(b.filter_type);
  const creator = typeof b.creator === 'string' && b.creator !== '' ? b.creator : undefined;
  const tasks = [...corp.customers.tasks.values()].filter(
    (t) =>
      t.chatType === chatType &&
      secs(t.createdAt) >= start &&
      secs(t.createdAt) <= end &&
      filterType !== 1 &&
      creator === undefined,
  );
  const asked = Number(b.limit ?? 50) || 50;
  const limit = asked > 100 || asked < 1 ? 50 : asked;
  const offset = Number(b.cursor ?? 0) || 0;
  const slice = tasks.slice(offset, offset + limit);
  return ok({
    next_cursor: offset + limit < tasks.length ? String(offset + limit) : '',
    group_msg_list: slice.map((t) => ({
      msgid: t.msgid,
      create_type: 0,
      create_time: String(secs(t.createdAt)),
      ...(t.content.text ? { text: t.content.text } : {}),
      ...(t.content.attachments ? { attachments: t.content.attachments } : {}),
    })),
  });
}

/** `externalcontact/get_groupmsg_task` (获取群发成员发送任务列表). */
export function getGroupmsgTask(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const task = corp.customers.tasks.get(String(req.body.msgid ?? ''));
  if (!task) return err(41068, 'invalid msgid');
  const items = [
    {
      userid: task.sender,
      status: task.status,
      ...(task.sendTime ? { send_time: secs(task.sendTime) } : {}),
    },
  ];
  const { slice, next_cursor } = page(items, req, 1000);
  return ok({ next_cursor, task_list: slice });
}

/** `externalcontact/get_groupmsg_send_result` (获取企业群发成员执行结果). */
export function getGroupmsgSendResult(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const task = corp.customers.tasks.get(String(req.body.msgid ?? ''));
  if (!task) return err(41068, 'invalid msgid');
  if (req.body.userid !== task.sender) return ok({ next_cursor: '', send_list: [] });
  const items = [...task.results].map(([target, r]) => ({
    ...(task.chatType === 'group' ? { chat_id: target } : { external_userid: target }),
    userid: task.sender,
    status: r.status,
    ...(r.sendTime ? { send_time: secs(r.sendTime) } : {}),
  }));
  const { slice, next_cursor } = page(items, req, 1000);
  return ok({ next_cursor, send_list: slice });
}

/** `externalcontact/remind_groupmsg_send` (提醒成员群发): 3 times in 24 hours per task. */
export function remindGroupmsgSend(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const task = corp.customers.tasks.get(String(req.body.msgid ?? ''));
  if (!task) return err(41068, 'invalid msgid');
  const now = corp.now().getTime();
  task.reminders = task.reminders.filter((t) => t.getTime() > now - 24 * 3600_000);
  if (task.reminders.length >= 3) return err(45009, 'remind limit reached');
  task.reminders.push(corp.now());
  return ok();
}

/** `externalcontact/cancel_groupmsg_send` (停止企业群发): what is unsent is never sent. */
export function cancelGroupmsgSend(corp: FakeCorp, req: FakeRequest): Answer {
  if (!allowed(req)) return err(48002, 'api forbidden');
  const task = corp.customers.tasks.get(String(req.body.msgid ?? ''));
  if (!task) return err(41068, 'invalid msgid');
  task.cancelled = true;
  return ok();
}
