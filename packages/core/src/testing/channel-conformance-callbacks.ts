import { expect, it } from 'vitest';
import { isQunfaError } from '../errors.js';
import type { CallbackRequest, ChannelPlugin, DeliveryEvent } from '../plugins/channel.js';
import type { ConformanceKit } from './channel-conformance.js';
import { countingState, providerIdsOf, type SentForReceipt } from './channel-conformance-probe.js';

const refusalCodes = ['UNAUTHENTICATED', 'FORBIDDEN'];

/** A request nobody signed: what anyone on the internet can POST to a callback URL. */
const unsigned: CallbackRequest = {
  method: 'POST',
  path: '',
  headers: { 'content-type': 'application/json' },
  query: {},
  body: '[{"phone_number":"13800000000","success":true,"biz_id":"forged","report_time":"2024-01-01 00:00:00"}]',
};

async function refusal(promise: Promise<unknown>): Promise<string | 'resolved'> {
  try {
    const result = await promise;
    return result === undefined ? 'not ours' : 'resolved';
  } catch (error) {
    if (isQunfaError(error)) return error.code;
    throw error;
  }
}

async function sendSome(kit: ConformanceKit, channel: ChannelPlugin): Promise<SentForReceipt> {
  const batch = kit.batchOf(channel, Math.min(2, channel.limits.maxRecipientsPerSend), 'callback');
  const outcomes = await channel.send(batch, kit.context());
  kit.expectOneOutcomeEach(batch, outcomes);
  return { batch, outcomes };
}

const eventKey = (e: DeliveryEvent) => `${e.providerMessageId}|${e.state}|${e.at.getTime()}`;

/** A forged push rejects and writes nothing; a genuine one yields events about what was sent. */
export function describeCallbackConformance(kit: ConformanceKit): void {
  it('refuses a forged or unsigned callback and writes nothing', async () => {
    const channel = await kit.make();
    if (!channel.callback) return;
    const sent = await sendSome(kit, channel);
    const base = kit.context();
    const state = countingState(base.state);
    const ctx = { now: base.now, logger: base.logger, state };
    const verdict = await refusal(channel.callback(unsigned, ctx));
    expect(['not ours', ...refusalCodes]).toContain(verdict);
    for (const forged of (await kit.options.callbacks?.forged?.(sent)) ?? []) {
      expect(refusalCodes).toContain(await refusal(channel.callback(forged, ctx)));
    }
    expect(state.writes()).toBe(0);
  });

  const genuine = kit.options.callbacks?.genuine;
  if (!genuine) return;
  it('reads a genuine push about what it sent; a replay yields the same events or is refused', async () => {
    const channel = await kit.make();
    if (!channel.callback) throw new Error('a genuine push was given but the channel has no callback');
    const sent = await sendSome(kit, channel);
    const ctx = kit.context();
    const request = await genuine(sent);
    const first = await channel.callback(request, ctx);
    expect(first).toBeDefined();
    const ids = providerIdsOf(sent.outcomes);
    for (const event of first?.events ?? []) {
      expect(ids.has(event.providerMessageId)).toBe(true);
      expect(['delivered', 'read', 'clicked', 'failed', 'filtered']).toContain(event.state);
      expect(event.at).toBeInstanceOf(Date);
    }
    let replay: Awaited<ReturnType<NonNullable<ChannelPlugin['callback']>>>;
    try {
      replay = await channel.callback(request, ctx);
    } catch (error) {
      expect(isQunfaError(error) && refusalCodes.includes(error.code)).toBe(true);
      return;
    }
    expect((replay?.events ?? []).map(eventKey).sort()).toEqual((first?.events ?? []).map(eventKey).sort());
  });
}
