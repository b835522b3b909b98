import {
  type ChannelPlugin,
  defineChannel,
  KERNEL_VERSION,
  type OutboundMessage,
  type SendOutcome,
} from '@qunfa/core';
import { type DingtalkRobotConfig, optionsSchema } from './options.js';
import { type RobotResponse, verdictOf } from './outcomes.js';
import { signedUrl } from './sign.js';

/** A mainland mobile as DingTalk's `atMobiles` wants it: 11 digits, no +86. */
export function mobileOf(phone: string): string | undefined {
  const digits = phone.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return /^1\d{10}$/.test(digits) ? digits : undefined;
}

/** One group message per distinct text, @-mentioning its recipients, at most `max` each. */
function groupMessages(
  messages: OutboundMessage[],
  max: number,
): { text: string; messages: OutboundMessage[] }[] {
  const byText = new Map<string, OutboundMessage[]>();
  for (const m of messages) byText.set(m.content.text, [...(byText.get(m.content.text) ?? []), m]);
  const groups: { text: string; messages: OutboundMessage[] }[] = [];
  for (const [text, all] of byText) {
    for (let i = 0; i < all.length; i += max) groups.push({ text, messages: all.slice(i, i + max) });
  }
  return groups;
}

async function post(
  config: DingtalkRobotConfig,
  body: unknown,
  now: Date,
  signal: AbortSignal,
): Promise<RobotResponse> {
  const url = config.secret ? signedUrl(config.webhookUrl, config.secret, now.getTime()) : config.webhookUrl;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
  });
  if (!response.ok) throw new Error(`DingTalk answered HTTP ${response.status}`);
  return (await response.json()) as RobotResponse;
}

/**
 * `channel:dingtalk-robot`: posts to a DingTalk group through its custom robot, @-mentioning
 * each recipient by mobile. Text goes out as `text`, markdown as `markdown`. The robot is one
 * implicit account, paced at `messagesPerMinute`; it gives no message ids and no receipts.
 */
export const dingtalkRobot = defineChannel({
  name: 'channel:dingtalk-robot',
  kernel: `^${KERNEL_VERSION}`,
  secrets: ['webhookUrl', 'secret'],
  options: optionsSchema,
  create: (config): Omit<ChannelPlugin, 'kind' | 'name'> => ({
    limits: {
      maxRecipientsPerSend: config.maxMentionsPerMessage,
      // Pacing is per recipient; a batch is at most a few group messages.
      ratePerSecond: (config.messagesPerMinute * config.maxMentionsPerMessage) / 60,
      contentTypes: ['text', 'markdown'],
      maxTextLength: 5000,
      receipts: false,
      recall: false,
      idempotencyKeys: false,
    },
    identityKinds: ['phone'],
    accounts: [],
    address: (identities) => {
      for (const identity of identities) {
        const mobile = identity.kind === 'phone' ? mobileOf(identity.value) : undefined;
        if (mobile) return mobile;
      }
      return undefined;
    },
    async send(batch, ctx): Promise<SendOutcome[]> {
      const outcomes: SendOutcome[] = [];
      for (const [n, group] of groupMessages(batch.messages, config.maxMentionsPerMessage).entries()) {
        const atMobiles = group.messages.map((m) => m.address);
        const mentions = atMobiles.map((m) => `@${m}`).join(' ');
        const markdown = group.messages[0]!.content.type === 'markdown';
        const body = markdown
          ? {
              msgtype: 'markdown',
              markdown: { title: group.text.slice(0, 30), text: `${group.text}\n\n${mentions}` },
              at: { atMobiles, isAtAll: false },
            }
          : {
              msgtype: 'text',
              text: { content: `${group.text}\n${mentions}` },
              at: { atMobiles, isAtAll: false },
            };
        try {
          const verdict = verdictOf(await post(config, body, ctx.now(), ctx.signal), config.throttledForMs);
          for (const m of group.messages) {
            outcomes.push(
              verdict.ok
                ? { id: m.id, status: 'sent', providerMessageId: `${batch.idempotencyKey}:${n}` }
                : {
                    id: m.id,
                    status: 'failed',
                    failure: verdict.failure,
                    error: verdict.error,
                    ...(verdict.retryAfterMs ? { retryAfterMs: verdict.retryAfterMs } : {}),
                  },
            );
          }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          // A call cut off after it was sent may have posted: the robot has no idempotency key, so never resend blindly.
          const cutOff =
            error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
          for (const m of group.messages) {
            outcomes.push(
              cutOff
                ? { id: m.id, status: 'uncertain', error: `no answer from DingTalk: ${reason}` }
                : { id: m.id, status: 'failed', failure: 'network', error: reason },
            );
          }
        }
      }
      return outcomes;
    },
  }),
});
