import type { OutboundBatch, SendContext, SendOutcome } from '@qunfa/core';
import { mapPool } from '../sms/pool.js';
import { planTencentChunks, type TencentChunk } from './chunks.js';
import type { TencentSmsClient } from './client.js';
import { classifyTencentCode, classifyTencentError, TencentSmsAmbiguousError } from './errors.js';
import type { SmsTencentConfig } from './options.js';

/** One SendSms: each number's `Code` mapped on its own; `SerialNo` is the provider message id. */
async function sendChunk(
  client: TencentSmsClient,
  chunk: TencentChunk,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  try {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const statuses = await client.sendSms({
      phones: chunk.messages.map((m) => m.phone),
      templateId: chunk.templateId,
      params: chunk.params,
      sessionContext: chunk.sessionContext,
    });
    const byPhone = new Map(statuses.map((s) => [s.phone, s]));
    return chunk.messages.map(({ message, phone }): SendOutcome => {
      const status = byPhone.get(phone);
      if (!status)
        return {
          id: message.id,
          status: 'uncertain',
          error: 'Tencent Cloud returned no status for the number',
        };
      if (status.code === 'Ok') return { id: message.id, status: 'sent', providerMessageId: status.serialNo };
      return {
        id: message.id,
        status: 'failed',
        ...classifyTencentCode(status.code, status.message, ctx.now()),
      };
    });
  } catch (error) {
    if (error instanceof TencentSmsAmbiguousError)
      return chunk.messages.map((m) => ({ id: m.message.id, status: 'uncertain', error: error.message }));
    const classified = classifyTencentError(error, ctx.now());
    return chunk.messages.map((m) => ({ id: m.message.id, status: 'failed', ...classified }));
  }
}

export async function sendTencentBatch(
  config: SmsTencentConfig,
  client: TencentSmsClient,
  batch: OutboundBatch,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { chunks, refused } = planTencentChunks(batch, config.templates);
  const sent = await mapPool(chunks, config.concurrency, (chunk) => sendChunk(client, chunk, ctx));
  return [...refused, ...sent.flat()];
}
