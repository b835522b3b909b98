import type {
  DeliveryEvent,
  InboundMessage,
  OutboundBatch,
  PollContext,
  SendContext,
  SendOutcome,
} from '@qunfa/core';
import { planTencentChunks } from './chunks.js';
import type { TencentSmsClient } from './client.js';
import type { SmsTencentConfig } from './options.js';
import { receiptEvent, replyMessage } from './receipts.js';

/** PullSmsSendStatus: receipts Tencent has not handed out before (a repeat is counted once by its time). */
export async function pullTencentReceipts(
  config: SmsTencentConfig,
  client: TencentSmsClient,
  ctx: PollContext,
): Promise<DeliveryEvent[]> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const receipts = await client.pullSmsSendStatus(config.pullLimit);
  return receipts.map((r) =>
    receiptEvent({
      sid: r.serialNo,
      success: r.reportStatus === 'SUCCESS',
      code: r.description,
      description: r.description,
      at: r.userReceiveTime > 0 ? new Date(r.userReceiveTime * 1000) : ctx.now(),
    }),
  );
}

/** PullSmsReplyStatus: replies as inbound messages, with the same ids as the reply callback gives. */
export async function pullTencentReplies(
  config: SmsTencentConfig,
  client: TencentSmsClient,
  ctx: PollContext,
): Promise<InboundMessage[]> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const replies = await client.pullSmsReplyStatus(config.pullLimit);
  return replies.flatMap((r) => {
    const m = replyMessage({ phone: r.phone, text: r.content, unixTime: r.replyTime, sign: r.signName });
    return m ? [m] : [];
  });
}

/**
 * After a crash: a number's receipts since the day before (PullSmsSendStatusByPhoneNumber) that
 * echo the call's SessionContext say it was sent, with its SerialNo. Tencent reports a number only
 * once the carrier answered, so one without a receipt yet is left out (unknown), never failed.
 */
export async function queryTencentStatus(
  config: SmsTencentConfig,
  client: TencentSmsClient,
  batch: OutboundBatch,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { chunks, refused } = planTencentChunks(batch, config.templates);
  const beginTime = Math.floor(ctx.now().getTime() / 1000) - 86_400;
  const outcomes: SendOutcome[] = [...refused];
  for (const chunk of chunks) {
    for (const { message, phone } of chunk.messages) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const receipts = await client.pullSmsSendStatusByPhoneNumber({
        phone,
        beginTime,
        offset: 0,
        limit: 100,
      });
      const found = receipts.find((r) => r.sessionContext === chunk.sessionContext);
      if (found) outcomes.push({ id: message.id, status: 'sent', providerMessageId: found.serialNo });
    }
  }
  return outcomes;
}
