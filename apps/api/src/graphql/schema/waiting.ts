import { type WaitReason as WaitReasonShape, waitReasonCodes } from '@qunfa/core';
import { campaignWaiting } from '../../services/waiting.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { upper } from './enums.js';

export const WaitReasonCodeEnum = builder.enumType('WaitReasonCode', {
  description:
    "SCHEDULE: starts at `until`. QUIET_HOURS: deferred until the quiet period ends in the recipient's time zone. " +
    'FREQUENCY_CAP: deferred by a frequency-cap rule. ACCOUNT_COOLDOWN: every sender account of the channel (`detail`) cools down. ' +
    "QUOTA_REACHED: the daily quota of the channel's (`detail`) accounts is used up. AWAITING_CONFIRMATION: a staff member " +
    "must confirm the send in the client. AB_TEST_DECISION: an A/B test's rest waits for the winner. RETRY: a transient " +
    "failure, tried again at `until`. PACING: planned batches due later at the campaign's pace. RULE: another rule deferred it (`detail`: its reason).",
  values: upper(waitReasonCodes),
});

export const WaitReason = builder.objectRef<WaitReasonShape>('WaitReason').implement({
  description: 'What part of a campaign waits for, how many recipients, and until when',
  fields: (t) => ({
    reason: t.field({ type: WaitReasonCodeEnum, resolve: (w) => w.reason }),
    count: t.int({
      nullable: true,
      description: 'Recipients waiting for this reason; null when not planned yet (SCHEDULE)',
      resolve: (w) => w.count,
    }),
    until: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the first of them goes on; null when a person must act',
      resolve: (w) => (w.until === null ? null : new Date(w.until)),
    }),
    lastUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the last of them goes on (time zones, several accounts)',
      resolve: (w) => (w.lastUntil === null ? null : new Date(w.lastUntil)),
    }),
    detail: t.string({
      nullable: true,
      description: "The channel (ACCOUNT_COOLDOWN, QUOTA_REACHED) or the rule's own reason (RULE)",
      resolve: (w) => w.detail,
    }),
  }),
});

builder.objectField(Campaign, 'waiting', (t) =>
  t.field({
    type: [WaitReason],
    description:
      "What the campaign waits for now, ordered by until (a person's action last); empty once it ended",
    resolve: (c, _args, ctx) => campaignWaiting(ctx.deps, c),
  }),
);
