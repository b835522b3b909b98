import { type PlatformCap as PlatformCapShape, platformCaps } from '../../services/platform-caps.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';

const PlatformCapScope = builder.enumType('PlatformCapScope', {
  values: {
    PER_RECIPIENT: {
      value: 'per_recipient',
      description: 'Each person at most `limit` messages in the period',
    },
    PER_ACCOUNT: {
      value: 'per_account',
      description: 'The sender account at most `limit` mass sends in the period',
    },
  } as const,
});

const PlatformCap = builder.objectRef<PlatformCapShape>('PlatformCap').implement({
  description:
    "A platform's budget on one channel of a campaign before its start (WeCom's customer mass messages a period, an Official Account's monthly 4 a follower, a subscription account's one mass send a day), counted across campaigns",
  fields: (t) => ({
    channel: t.exposeString('channel'),
    scope: t.field({ type: PlatformCapScope, resolve: (c) => c.scope }),
    period: t.exposeString('period', {
      description:
        'China time: a month (2026-12), a week from its Monday (2026-11-30/P7D) or a day (2026-12-04)',
    }),
    limit: t.exposeInt('limit'),
    recipients: t.exposeInt('recipients', { description: 'People of the audience reachable on the channel' }),
    atCap: t.exposeInt('atCap', {
      description: 'Of them, already at the limit this period: the platform will filter them',
    }),
    used: t.exposeInt('used', {
      description:
        'Mass sends the account already made this period (other campaigns); 0 where the platform counts per recipient only (WeCom)',
    }),
    blocked: t.exposeBoolean('blocked', { description: 'The platform would refuse the send outright' }),
    note: t.exposeString('note'),
  }),
});

builder.objectFields(Campaign, (t) => ({
  platformCaps: t.field({
    type: [PlatformCap],
    description:
      "Platform caps on the campaign's channels as they stand now (WeCom customers, Official Account followers and sends), from Qunfa's deliveries across campaigns: shown before a start",
    resolve: (campaign, _args, ctx) => platformCaps(ctx.deps, ctx.principal, campaign.id),
  }),
}));
