import type { SendContext } from '@qunfa/core';
import type { WecomClient } from './client.js';
import { pages } from './customer-results.js';
import { type ChatType, readTask } from './tasks.js';

/** A task found at WeCom that no record of ours names: made by a call whose answer we never kept. */
export interface OrphanTask {
  msgid: string;
  /** `create_time`, epoch ms. */
  createdAt: number;
}

type Attachment = Record<string, unknown> & { msgtype?: unknown };

/**
 * What identifies a customer message in `get_groupmsg_list_v2`: its text and, per attachment,
 * the type and the link, mini program or title fields. Media ids are left out: the list may
 * answer an image's `pic_url` instead of its `media_id`.
 */
export function contentFingerprint(text: unknown, attachments: unknown): string {
  const content = (text as { content?: unknown } | undefined)?.content;
  const parts = (Array.isArray(attachments) ? (attachments as Attachment[]) : []).map((a) => {
    const type = String(a.msgtype ?? '');
    const part = (a[type] ?? {}) as Record<string, unknown>;
    return [type, part.title ?? '', part.url ?? '', part.page ?? '', part.appid ?? ''].map(String);
  });
  return JSON.stringify([typeof content === 'string' ? content : '', parts]);
}

/** `get_groupmsg_list_v2` takes a range of at most a month. */
const MAX_RANGE_SEC = 30 * 86_400;
/** Slack on both ends of the range, for clocks that differ between WeCom and us. */
const SKEW_SEC = 120;

/**
 * Finds the tasks a call of ours may have made although we never kept its answer (the worker
 * died after `add_msg_template`, or the answer was lost on the way back): enterprise-published
 * tasks (`filter_type` 0; WeCom gives no `creator` for tasks made through the API) created since
 * `sinceMs` with the same content, for `sender` (`get_groupmsg_task`), and holding customers of
 * this chunk (`get_groupmsg_send_result`: customers, or groups by `chat_id`). A task some other chunk recorded is not a candidate;
 * one recorded under `origin` (this chunk, before it died) is. Returns each customer found with
 * the task that holds them.
 */
export async function findOrphanTasks(
  client: WecomClient,
  ctx: SendContext,
  search: {
    chatType: ChatType;
    sinceMs: number;
    sender: string;
    fingerprint: string;
    /** The chunk's customers (`external_userid`) or groups (`chat_id`). */
    targets: ReadonlySet<string>;
    origin: string;
  },
): Promise<Map<string, OrphanTask>> {
  const nowSec = Math.floor(ctx.now().getTime() / 1000);
  const end = nowSec + SKEW_SEC;
  const start = Math.max(Math.floor(search.sinceMs / 1000) - SKEW_SEC, end - MAX_RANGE_SEC);
  const listed = await pages(async (cursor) => {
    const a = await client.post(
      '/cgi-bin/externalcontact/get_groupmsg_list_v2',
      {
        chat_type: search.chatType,
        start_time: start,
        end_time: end,
        filter_type: 0,
        limit: 100,
        ...(cursor ? { cursor } : {}),
      },
      ctx,
    );
    return {
      items: (a.group_msg_list as Record<string, unknown>[] | undefined) ?? [],
      next: String(a.next_cursor ?? ''),
    };
  });
  const found = new Map<string, OrphanTask>();
  for (const item of listed) {
    const msgid = String(item.msgid ?? '');
    if (msgid === '' || contentFingerprint(item.text, item.attachments) !== search.fingerprint) continue;
    const known = await readTask(ctx.state, msgid);
    if (known && known.origin !== search.origin) continue;
    const members = await pages(async (cursor) => {
      const a = await client.post(
        '/cgi-bin/externalcontact/get_groupmsg_task',
        { msgid, limit: 1000, ...(cursor ? { cursor } : {}) },
        ctx,
      );
      return { items: (a.task_list as { userid?: string }[]) ?? [], next: String(a.next_cursor ?? '') };
    });
    if (!members.some((m) => m.userid === search.sender)) continue;
    const results = await pages(async (cursor) => {
      const a = await client.post(
        '/cgi-bin/externalcontact/get_groupmsg_send_result',
        { msgid, userid: search.sender, limit: 1000, ...(cursor ? { cursor } : {}) },
        ctx,
      );
      return {
        items: (a.send_list as { external_userid?: string; chat_id?: string }[]) ?? [],
        next: String(a.next_cursor ?? ''),
      };
    });
    const createdAt = (Number(item.create_time) || nowSec) * 1000;
    for (const r of results) {
      const target = (search.chatType === 'group' ? r.chat_id : r.external_userid) ?? '';
      if (search.targets.has(target) && !found.has(target)) found.set(target, { msgid, createdAt });
    }
  }
  return found;
}
