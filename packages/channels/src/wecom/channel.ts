import {
  type ChannelPlugin,
  type ContactIdentity,
  type OutboundBatch,
  QunfaError,
  type SendContext,
  type SendOutcome,
} from '@qunfa/core';
import { type AppGroup, type AppSender, parseAppMessageId, sendAppGroup, TOUSER_MAX } from './app-send.js';
import { handleWecomCallback } from './callback.js';
import { createWecomClient, credentialsOf } from './client.js';
import { appContentTypes, convertAppContent } from './content.js';
import { parseWecomOptions, type WecomConfig, type WecomOptions } from './options.js';

export interface WecomChannel extends ChannelPlugin {
  /** The validated options, secrets included: never log it. */
  readonly config: WecomConfig;
}

/** The address of a member (application messages): `user:<userid>`. */
export const memberAddress = (userid: string) => `user:${userid}`;

/**
 * `channel:wecom`: one WeCom corp (企业微信). Members are sent application messages
 * (`message/send`) by the app the batch names (or the first), with the shared access token of
 * that app's secret; media are uploaded once and reused; `message/recall` recalls them.
 * Callbacks bring members' messages to the app and customer and group changes.
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
  const firstApp = config.apps[0]!.agentId;
  const senderFor = (account: string | null) => senders.get(account === null ? firstApp : Number(account));

  return {
    kind: 'channel',
    name: config.name,
    config,
    limits: {
      maxRecipientsPerSend: TOUSER_MAX,
      contentTypes: [...appContentTypes],
      maxTextLength: 2048,
      receipts: false,
      recall: true,
      idempotencyKeys: true,
    },
    identityKinds: ['wecom_userid'],
    accounts: config.apps.length > 1 ? config.apps.map((a) => String(a.agentId)) : [],
    address(identities: ContactIdentity[]) {
      const member = identities.find(
        (i) => i.kind === 'wecom_userid' && /^[A-Za-z0-9_.@-]{1,64}$/.test(i.value),
      );
      return member ? memberAddress(member.value) : undefined;
    },
    async send(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]> {
      const sender = senderFor(batch.account);
      const outcomes: SendOutcome[] = [];
      if (!sender) {
        return batch.messages.map((m) => ({
          id: m.id,
          status: 'failed',
          failure: 'account_restricted',
          error: `no WeCom app with AgentId ${batch.account}`,
        }));
      }
      const groups = new Map<string, AppGroup>();
      for (const message of batch.messages) {
        if (!message.address.startsWith('user:')) {
          outcomes.push({
            id: message.id,
            status: 'failed',
            failure: 'invalid_recipient',
            error: 'not a WeCom member address',
          });
          continue;
        }
        const converted = convertAppContent(message.content);
        if ('rejected' in converted) {
          outcomes.push({
            id: message.id,
            status: 'failed',
            failure: 'content_rejected',
            error: converted.rejected,
          });
          continue;
        }
        const key = JSON.stringify(converted.body);
        const group = groups.get(key) ?? { body: converted.body, messages: [] };
        group.messages.push({ message, userid: message.address.slice(5) });
        groups.set(key, group);
      }
      for (const group of groups.values()) outcomes.push(...(await sendAppGroup(sender, group, ctx)));
      return outcomes;
    },
    callback: (request, ctx) => handleWecomCallback(config, request, ctx),
    async recall(providerMessageId: string, ctx: SendContext): Promise<void> {
      const ref = parseAppMessageId(providerMessageId);
      const sender = ref && senders.get(ref.agentId);
      if (!ref || !sender) {
        throw new QunfaError('INVALID_INPUT', 'not an application message of this corp', {
          plugin: config.name,
          details: { providerMessageId },
        });
      }
      await sender.client.post('/cgi-bin/message/recall', { msgid: ref.msgid }, ctx);
    },
  };
}
