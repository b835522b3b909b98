import {
  type ChannelContext,
  type ChannelPlugin,
  type ContactIdentity,
  type ContentType,
  type DeliveryEvent,
  type GroupMetricInput,
  type OutboundBatch,
  QunfaError,
  type ReceiptKind,
  type ReceiptState,
  receiptStatesOf,
  type SendContext,
  type SendOutcome,
} from '@qunfa/core';
import { type AppGroup, type AppSender, parseAppMessageId, sendAppGroup } from './app-send.js';
import { handleWecomCallback } from './callback.js';
import { createWecomClient, credentialsOf } from './client.js';
import { appContentTypes, convertAppContent } from './content.js';
import { capPreview } from './customer-cap.js';
import { convertCustomerContent, customerContentTypes } from './customer-content.js';
import { cancelTask, remindTask } from './customer-ops.js';
import { pollCustomerTasks } from './customer-results.js';
import {
  CUSTOMER_TASK_MAX,
  type CustomerGroup,
  type CustomerSender,
  sendCustomerGroup,
} from './customer-send.js';
import { groupMonths } from './group-months.js';
import { type GroupReach, groupReach } from './group-reach.js';
import { type ChatGroup, sendChatGroup } from './group-send.js';
import { chinaMonth, type GroupHealth, groupHealth, readGroup } from './groups.js';
import { parseWecomOptions, type WecomConfig, type WecomOptions } from './options.js';
import { corpTags, type SyncedCustomer, type SyncedGroup, type SyncProgress, syncFromWecom } from './sync.js';
import { type CustomerTask, openTaskIds, readTask } from './tasks.js';

export interface WecomChannel extends ChannelPlugin {
  /** The validated options, secrets included: never log it. */
  readonly config: WecomConfig;
  /** Reminds a task's sender (`remind_groupmsg_send`), at most 3 times in 24 hours. */
  remindTask(msgid: string, ctx: ChannelContext): Promise<void>;
  /**
   * Cancels a customer task (`cancel_groupmsg_send`); returns its results read right after, the
   * customers it never reached failed `unconfirmed` (for the engine's `applyReceipts`).
   */
  cancelTask(msgid: string, ctx: ChannelContext): Promise<DeliveryEvent[]>;
  /** One customer task as the channel knows it (sender, campaign, confirmed, cancelled, reminders), or undefined. */
  task(msgid: string, ctx: ChannelContext): Promise<CustomerTask | undefined>;
  /** Open customer tasks, per sender: waiting for confirmation, confirmed, cancelled. */
  openTasks(ctx: ChannelContext): Promise<CustomerTask[]>;
  /** Syncs staff, customers, relations and groups; resumable (see `syncFromWecom`). */
  sync(
    ctx: ChannelContext,
    options?: {
      onCustomers?: (page: SyncedCustomer[]) => Promise<void>;
      onGroups?: (page: SyncedGroup[]) => Promise<void>;
      onProgress?: (p: SyncProgress) => void;
      restart?: boolean;
    },
  ): Promise<SyncProgress>;
  /** The corp's customer tags (`get_corp_tag_list`). */
  corpTags(ctx: ChannelContext): ReturnType<typeof corpTags>;
  /**
   * A customer group's health in a month (`YYYY-MM`, China time; default this month): members,
   * joins and leaves from the sync and `change_external_chat`, 退群率, healthy under `threshold` (5 %).
   */
  groupHealth(chatId: string, ctx: ChannelContext, month?: string, threshold?: number): Promise<GroupHealth>;
  /** Many groups' month (default this month, China time) as `metric:group-*` plugins read it, in one state read. */
  groupMonths(
    chatIds: readonly string[],
    ctx: ChannelContext,
    month?: string,
  ): Promise<Map<string, GroupMetricInput>>;
  /** A campaign's reach in customer groups: groups sent to, and their members then. */
  groupReach(campaignId: string, ctx: ChannelContext): Promise<GroupReach>;
  /** Before a start: how many of these customers (or groups, by `chat_id`) the platform cap would drop this period. */
  capPreview(
    externalUserIds: readonly string[],
    ctx: ChannelContext,
  ): Promise<{ period: string; limit: number; customers: number; atCap: number }>;
}

/** The address of a member (application messages): `user:<userid>`. */
export const memberAddress = (userid: string) => `user:${userid}`;
/** The address of an external contact (customer mass send): `customer:<external_userid>`. */
export const customerAddress = (externalUserId: string) => `customer:${externalUserId}`;
/** The address of a customer group (group mass send through its owner): `group:<chat_id>`. */
export const groupAddress = (chatId: string) => `group:${chatId}`;

const ID = /^[A-Za-z0-9_.@-]{1,64}$/;

const byType = (types: readonly ContentType[], states: readonly ReceiptState[]) =>
  Object.fromEntries(types.map((t) => [t, states])) as Partial<Record<ContentType, readonly ReceiptState[]>>;

/**
 * What each kind of send reports. An application message (`message/send`) is answered at the send
 * (`invaliduser` fails those members) and WeCom never says more: no `delivered`, no `read`. A
 * customer or group task's results are polled (`get_groupmsg_send_result`): 1 `delivered`,
 * 2 `failed` invalid_recipient, 3 `filtered` (the platform cap), and `failed` unconfirmed or unknown
 * for what a cancel, the deadline or the query window left unsent; never `read`.
 */
export const receiptKinds: readonly ReceiptKind[] = [
  {
    name: 'app',
    identityKinds: ['wecom_userid'],
    receiptStates: byType(appContentTypes, []),
    laterResults: [],
    via: 'none',
  },
  {
    name: 'customer',
    identityKinds: ['wecom_external_userid'],
    receiptStates: byType(customerContentTypes, ['delivered']),
    laterResults: ['delivered', 'failed', 'filtered'],
    via: 'poll',
  },
  {
    name: 'group',
    identityKinds: ['wecom_chat_id'],
    receiptStates: byType(customerContentTypes, ['delivered']),
    laterResults: ['delivered', 'failed', 'filtered'],
    via: 'poll',
  },
];

/**
 * `channel:wecom`: one WeCom corp (企业微信). Members (`wecom_userid`) get application messages
 * (`message/send`); external contacts (`wecom_external_userid`) get customer mass sends
 * (`add_msg_template`), one task per staff sender, held until the sender confirms; customer groups
 * (`wecom_chat_id`) get group mass sends, one task per owner; results are polled. Callbacks bring members' messages and customer and group changes.
 */
export function wecom(options: WecomOptions): WecomChannel {
  const config = parseWecomOptions(options);
  const creds = credentialsOf(config);
  const senders = new Map<number, AppSender>(
    config.apps.map((a) => {
      const cred = creds.apps.get(a.agentId)!;
      return [
        a.agentId,
        { config, agentId: a.agentId, label: cred.label, client: createWecomClient(config, cred) },
      ];
    }),
  );
  const contact: CustomerSender = {
    config,
    label: creds.contact.label,
    client: createWecomClient(config, creds.contact),
  };
  const firstApp = config.apps[0]!.agentId;
  const senderFor = (account: string | null) => senders.get(account === null ? firstApp : Number(account));
  const fail = (
    id: string,
    failure: 'invalid_recipient' | 'content_rejected' | 'account_restricted',
    error: string,
  ): SendOutcome => ({
    id,
    status: 'failed',
    failure,
    error,
  });

  return {
    kind: 'channel',
    name: config.name,
    config,
    limits: {
      // One batch can hold a whole task of customers; members go out in calls of 1,000 within it.
      maxRecipientsPerSend: CUSTOMER_TASK_MAX,
      contentTypes: [...new Set([...appContentTypes, ...customerContentTypes])],
      maxTextLength: 2048,
      receipts: true,
      receiptKinds,
      receiptStates: receiptStatesOf(receiptKinds),
      recall: true,
      idempotencyKeys: true,
      // Customer tasks wait for their sender; unconfirmed ones are cancelled at the deadline.
      confirmation:
        config.confirmationDeadlineMs === undefined ? {} : { deadlineMs: config.confirmationDeadlineMs },
    },
    identityKinds: ['wecom_userid', 'wecom_external_userid', 'wecom_chat_id'],
    accounts: config.apps.length > 1 ? config.apps.map((a) => String(a.agentId)) : [],
    address(identities: ContactIdentity[]) {
      const member = identities.find((i) => i.kind === 'wecom_userid' && ID.test(i.value));
      if (member) return memberAddress(member.value);
      const customer = identities.find((i) => i.kind === 'wecom_external_userid' && ID.test(i.value));
      if (customer) return customerAddress(customer.value);
      const chat = identities.find((i) => i.kind === 'wecom_chat_id' && ID.test(i.value));
      return chat ? groupAddress(chat.value) : undefined;
    },
    async send(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]> {
      const outcomes: SendOutcome[] = [];
      const apps = new Map<string, AppGroup>();
      const customers = new Map<string, CustomerGroup>();
      const chats = new Map<string, ChatGroup>();
      const sender = senderFor(batch.account);
      for (const message of batch.messages) {
        if (message.address.startsWith('user:')) {
          if (!sender) {
            outcomes.push(
              fail(message.id, 'account_restricted', `no WeCom app with AgentId ${batch.account}`),
            );
            continue;
          }
          const converted = convertAppContent(message.content);
          if ('rejected' in converted) {
            outcomes.push(fail(message.id, 'content_rejected', converted.rejected));
            continue;
          }
          const key = JSON.stringify(converted.body);
          const group = apps.get(key) ?? { body: converted.body, messages: [] };
          group.messages.push({ message, userid: message.address.slice(5) });
          apps.set(key, group);
        } else if (message.address.startsWith('customer:')) {
          const converted = convertCustomerContent(message.content);
          if ('rejected' in converted) {
            outcomes.push(fail(message.id, 'content_rejected', converted.rejected));
            continue;
          }
          const key = JSON.stringify(converted.body);
          const group = customers.get(key) ?? { key, body: converted.body, messages: [] };
          group.messages.push({ message, externalUserId: message.address.slice(9) });
          customers.set(key, group);
        } else if (message.address.startsWith('group:')) {
          const converted = convertCustomerContent(message.content);
          if ('rejected' in converted) {
            outcomes.push(fail(message.id, 'content_rejected', converted.rejected));
            continue;
          }
          const key = JSON.stringify(converted.body);
          const group = chats.get(key) ?? { key, body: converted.body, messages: [] };
          group.messages.push({ message, chatId: message.address.slice(6) });
          chats.set(key, group);
        } else outcomes.push(fail(message.id, 'invalid_recipient', 'not a WeCom address'));
      }
      for (const group of apps.values()) outcomes.push(...(await sendAppGroup(sender!, group, ctx)));
      for (const group of customers.values())
        outcomes.push(...(await sendCustomerGroup(contact, group, batch, ctx)));
      for (const group of chats.values()) outcomes.push(...(await sendChatGroup(contact, group, batch, ctx)));
      return outcomes;
    },
    pollReceipts: (ctx) => pollCustomerTasks(config, contact.client, ctx),
    callback: (request, ctx) => handleWecomCallback(config, request, ctx),
    async recall(providerMessageId: string, ctx: SendContext): Promise<void> {
      const ref = parseAppMessageId(providerMessageId);
      const app = ref && senders.get(ref.agentId);
      if (!ref || !app) {
        throw new QunfaError('INVALID_INPUT', 'not an application message of this corp', {
          plugin: config.name,
          details: { providerMessageId },
        });
      }
      await app.client.post('/cgi-bin/message/recall', { msgid: ref.msgid }, ctx);
    },
    remindTask: (msgid, ctx) => remindTask(config.name, contact.client, msgid, ctx),
    cancelTask: (msgid, ctx) => cancelTask(config, contact.client, msgid, ctx),
    task: (msgid, ctx) => readTask(ctx.state, msgid),
    async openTasks(ctx) {
      const tasks = await Promise.all((await openTaskIds(ctx.state)).map((id) => readTask(ctx.state, id)));
      return tasks.filter((t): t is CustomerTask => t !== undefined);
    },
    sync: (ctx, options) => syncFromWecom(contact.client, ctx, options),
    corpTags: (ctx) => corpTags(contact.client, ctx),
    groupReach: (campaignId, ctx) => groupReach(ctx.state, campaignId),
    groupHealth: async (chatId, ctx, month, threshold) =>
      groupHealth(await readGroup(ctx.state, chatId), month ?? chinaMonth(ctx.now()), threshold),
    groupMonths: (chatIds, ctx, month) => groupMonths(ctx.state, chatIds, month ?? chinaMonth(ctx.now())),
    capPreview: (externalUserIds, ctx) =>
      capPreview(ctx.state, config.customerCap, externalUserIds, ctx.now()),
  };
}
