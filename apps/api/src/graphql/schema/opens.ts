import { campaignOpens, type OpensRow as OpensRowShape } from '../../services/metrics/opens.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';

const ChannelOpens = builder.objectRef<OpensRowShape>('ChannelOpens').implement({
  description:
    "A campaign's opens on one channel: e-mail's by its open pixel (and clicks), other channels' by their read receipts",
  fields: (t) => ({
    channel: t.exposeString('channel'),
    reached: t.exposeInt('reached', { description: 'Deliveries sent or further' }),
    opened: t.exposeInt('opened', { description: 'Of those, read or clicked' }),
    openRate: t.exposeFloat('openRate', {
      nullable: true,
      description: 'opened / reached, in percent; null while nothing reached',
    }),
    averageMsToOpen: t.exposeInt('averageMsToOpen', {
      nullable: true,
      description: 'Mean time from the send to the first open (read or click), in ms; null without an open',
    }),
    timedOpens: t.exposeInt('timedOpens', { description: 'Opens the mean is over' }),
  }),
});

builder.objectField(Campaign, 'openPixel', (t) =>
  t.boolean({
    description:
      "Its e-mail carries an open pixel: fixed from the workspace's openPixel when the campaign first started (false before)",
    resolve: (c) => c.openPixel === true,
  }),
);

builder.objectField(Campaign, 'opens', (t) =>
  t.field({
    type: [ChannelOpens],
    description: 'Open rate and mean time to open per channel',
    resolve: (c, _args, ctx) => campaignOpens(ctx.deps, ctx.principal, c.id),
  }),
);
