import type { OutboundBatch, SendContext, SendOutcome } from '@qunfa/core';
import type { OaClient } from './client.js';
import { deliveryRef, jobOf, msgIdOf } from './jobs.js';
import { groupClientMsgId, type MassGroup } from './mass-send.js';

/**
 * What became of a mass group sent before a crash: the job is found by the group's
 * deterministic `clientmsgid`, then asked of `message/mass/get`. A group never submitted, or a
 * job WeChat no longer knows, is left out (unknown).
 */
export async function queryMassGroup(
  client: OaClient,
  batch: OutboundBatch,
  group: MassGroup,
  ctx: SendContext,
): Promise<SendOutcome[]> {
  const clientmsgid = groupClientMsgId(batch, group);
  const msgId = await msgIdOf(ctx.state, clientmsgid);
  if (!msgId) return [];
  let status: string;
  try {
    const answer = await client.post('/cgi-bin/message/mass/get', { msg_id: msgId }, ctx);
    status = String(answer.msg_status ?? '');
  } catch (error) {
    ctx.logger.warn('mass/get failed', {
      msgId,
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
  const job = await jobOf(ctx.state, msgId);
  const sent = (awaiting: boolean): SendOutcome[] =>
    group.messages.map((m) => ({
      id: m.id,
      status: 'sent',
      providerMessageId: deliveryRef(msgId, m.id),
      byJob: msgId,
      ...(awaiting ? { awaitingConfirmation: true } : {}),
    }));
  switch (status) {
    case 'SEND_SUCCESS':
    case 'DELETE':
      return sent(false);
    case 'SENDING':
      return sent(job?.protected ?? false);
    case 'SEND_FAIL':
      return group.messages.map((m) => ({
        id: m.id,
        status: 'failed',
        failure: 'unknown',
        error: 'WeChat says the mass send failed (mass/get: SEND_FAIL)',
        providerMessageId: deliveryRef(msgId, m.id),
      }));
    default:
      return [];
  }
}
