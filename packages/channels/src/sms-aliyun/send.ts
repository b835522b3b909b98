import type { OutboundBatch, SendContext, SendOutcome } from '@qunfa/core';
import { mapPool } from '../sms/pool.js';
import { type Chunk, planChunks } from './chunks.js';
import type { AliyunSmsClient } from './client.js';
import { AliyunSmsAmbiguousError, AliyunSmsError, classifyAliyunError } from './errors.js';
import type { SmsAliyunConfig } from './options.js';
import { bizKey, providerIdOf, RECORD_TTL_MS, reconcileChunk, reconciledKey } from './reconcile.js';

async function callChunk(client: AliyunSmsClient, chunk: Chunk): Promise<{ bizId: string }> {
  const phones = chunk.messages.map((m) => m.phone);
  const hasParams = chunk.messages.some((m) => Object.keys(m.params).length > 0);
  if (chunk.api === 'SendSms') {
    return client.sendSms({
      phones,
      templateCode: chunk.templateCode,
      templateParam: hasParams ? chunk.messages[0]!.params : undefined,
      outId: chunk.outId,
    });
  }
  return client.sendBatchSms({
    phones,
    templateCode: chunk.templateCode,
    templateParams: hasParams ? chunk.messages.map((m) => m.params) : undefined,
    outId: chunk.outId,
  });
}

/**
 * One call, one outcome per number. A call whose answer was lost (timeout, reset) is never
 * repeated: `QuerySendDetails` says per number whether Aliyun took it (sent), has no record
 * of it (failed `network`, safe to retry or fail over), or cannot be asked (uncertain).
 */
async function sendChunk(client: AliyunSmsClient, chunk: Chunk, ctx: SendContext): Promise<SendOutcome[]> {
  const started = ctx.now();
  try {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const { bizId } = await callChunk(client, chunk);
    await ctx.state.set(bizKey(chunk.outId), bizId, RECORD_TTL_MS);
    return chunk.messages.map((m) => ({
      id: m.message.id,
      status: 'sent',
      providerMessageId: providerIdOf(bizId, m.phone),
    }));
  } catch (error) {
    if (error instanceof AliyunSmsAmbiguousError) return reconcileLost(client, chunk, started, ctx, error);
    if (isIllegalNumber(error) && chunk.messages.length > 1) return bisect(client, chunk, ctx);
    const classified = classifyAliyunError(error, ctx.now());
    return chunk.messages.map((m) => ({ id: m.message.id, status: 'failed', ...classified }));
  }
}

async function reconcileLost(
  client: AliyunSmsClient,
  chunk: Chunk,
  started: Date,
  ctx: SendContext,
  lost: Error,
): Promise<SendOutcome[]> {
  ctx.logger.warn('a send call lost its answer; checking QuerySendDetails', {
    outId: chunk.outId,
    error: lost.message,
  });
  const results = await reconcileChunk(client, chunk, started, ctx);
  const anyTaken = results.some((r) => r.found === true);
  if (anyTaken) await ctx.state.set(reconciledKey(chunk.outId), true, RECORD_TTL_MS);
  return results.map((r): SendOutcome => {
    const id = r.message.message.id;
    if (r.found === true)
      return { id, status: 'sent', providerMessageId: providerIdOf(chunk.outId, r.message.phone) };
    if (r.found === false && !anyTaken)
      return {
        id,
        status: 'failed',
        failure: 'network',
        error: `${lost.message}; QuerySendDetails has no record of it`,
      };
    const why =
      r.found === 'unknown'
        ? `QuerySendDetails failed (${r.error})`
        : 'not yet on record while others of the call are';
    return { id, status: 'uncertain', error: `${lost.message}; ${why}` };
  });
}

const isIllegalNumber = (error: unknown) =>
  error instanceof AliyunSmsError && error.code === 'isv.MOBILE_NUMBER_ILLEGAL';

/**
 * Aliyun refuses a whole call for one number it deems illegal, and says not which: nothing of
 * the call was sent, so its halves are sent on their own (each with its own OutId) until the
 * bad numbers stand alone — about 2·log2(n) extra calls per bad number, each number sent once.
 */
async function bisect(client: AliyunSmsClient, chunk: Chunk, ctx: SendContext): Promise<SendOutcome[]> {
  const half = Math.ceil(chunk.messages.length / 2);
  const parts: Chunk[] = [
    { ...chunk, outId: `${chunk.outId}a`, messages: chunk.messages.slice(0, half) },
    { ...chunk, outId: `${chunk.outId}b`, messages: chunk.messages.slice(half) },
  ];
  const results: SendOutcome[] = [];
  for (const part of parts) results.push(...(await sendChunk(client, part, ctx)));
  return results;
}

/** `send`: the batch's calls, a few at a time, and the messages refused before any call. */
export async function sendAliyunBatch(
  config: SmsAliyunConfig,
  client: AliyunSmsClient,
  batch: OutboundBatch,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const { chunks, refused } = planChunks(batch, config.templates);
  const sent = await mapPool(chunks, config.concurrency, (chunk) => sendChunk(client, chunk, ctx));
  return [...refused, ...sent.flat()];
}
