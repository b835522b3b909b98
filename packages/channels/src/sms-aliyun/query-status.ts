import type { OutboundBatch, SendContext, SendOutcome } from '@qunfa/core';
import { mapPool } from '../sms/pool.js';
import { planChunks } from './chunks.js';
import type { AliyunSmsClient } from './client.js';
import type { SmsAliyunConfig } from './options.js';
import { bizKey, providerIdOf, RECORD_TTL_MS, reconcileChunk, reconciledKey } from './reconcile.js';

/**
 * What became of a batch after a crash: the same calls are planned again (same `OutId`s). A
 * call Aliyun answered has its BizId in the plugin state: sent. Otherwise `QuerySendDetails`
 * looks for the `OutId` per number (today and yesterday, China time): on record, sent; no
 * record, failed `network` (it never went out, a retry is safe); not askable, left out (unknown).
 */
export async function queryAliyunStatus(
  config: SmsAliyunConfig,
  client: AliyunSmsClient,
  batch: OutboundBatch,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { chunks, refused } = planChunks(batch, config.templates);
  const perChunk = await mapPool(chunks, config.concurrency, async (chunk): Promise<SendOutcome[]> => {
    const bizId = await ctx.state.get<string>(bizKey(chunk.outId));
    if (typeof bizId === 'string') {
      return chunk.messages.map((m) => ({
        id: m.message.id,
        status: 'sent',
        providerMessageId: providerIdOf(bizId, m.phone),
      }));
    }
    const since = new Date(ctx.now().getTime() - 86_400_000);
    const results = await reconcileChunk(client, chunk, since, ctx);
    if (results.some((r) => r.found === true))
      await ctx.state.set(reconciledKey(chunk.outId), true, RECORD_TTL_MS);
    return results.flatMap((r): SendOutcome[] => {
      const id = r.message.message.id;
      if (r.found === true)
        return [{ id, status: 'sent', providerMessageId: providerIdOf(chunk.outId, r.message.phone) }];
      if (r.found === false)
        return [
          {
            id,
            status: 'failed',
            failure: 'network',
            error: 'Aliyun has no record of it (QuerySendDetails)',
          },
        ];
      return [];
    });
  });
  return [...refused, ...perChunk.flat()];
}
