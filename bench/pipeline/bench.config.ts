import { defineChannel } from '@qunfa/core';
import { z } from 'zod';

/**
 * A zero-latency channel: every message is sent at once, with an idempotency key, so the
 * benchmark measures Qunfa's own pipeline (claims, settlements, counters, queue) and nothing else.
 */
const instantChannel = (name: `channel:${string}`) =>
  defineChannel({
    name,
    options: z.object({ maxRecipientsPerSend: z.number().int().positive().default(1000) }),
    create: (options) => ({
      limits: {
        maxRecipientsPerSend: options.maxRecipientsPerSend,
        contentTypes: ['text'],
        // With a window (BENCH_ESCALATE) its receipts are what the window waits for (none come).
        receipts: Boolean(process.env.BENCH_ESCALATE),
        recall: false,
        idempotencyKeys: true,
      },
      identityKinds: ['phone'],
      accounts: [],
      address: (identities) => identities.find((i) => i.kind === 'phone')?.value,
      send: async (batch) =>
        batch.messages.map((m) => ({ id: m.id, status: 'sent' as const, providerMessageId: `i-${m.id}` })),
    }),
  });
const instant = instantChannel('channel:instant');
/** A second step for a plan with an escalation window (`BENCH_ESCALATE`): the same zero-latency sends. */
const instantLater = instantChannel('channel:instant-later');

/**
 * Project configs add to the built-in set: the default rules (sensitive words, links, channel
 * content, suppression, frequency cap) and metrics run as in every real campaign. Left out by
 * name: only what needs a person (approval of a large audience) or does not apply to this channel.
 * Quiet hours are switched off by the runner (QUIET_HOURS=off) so the run works at any hour.
 */
export default {
  plugins: [instant(), instantLater()],
  disable: ['rule:audience-size', 'rule:ab-test-sample', 'rule:wechat-personal-sends', 'rule:oa-mass-send'],
};
