import {
  type CampaignCreator as CreatorShape,
  campaignCreator,
  listCampaignCreators,
  listCampaigns,
} from '../../services/campaign-list.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { connectionOf } from './connection.js';
import { CampaignStateEnum } from './enums.js';

const CampaignConnection = connectionOf('Campaign', Campaign);

const CampaignCreator = builder.objectRef<CreatorShape>('CampaignCreator').implement({
  description: 'The API key that created a campaign, and the member it was issued to',
  fields: (t) => ({
    keyId: t.exposeID('keyId'),
    keyName: t.exposeString('keyName'),
    memberId: t.exposeID('memberId', { nullable: true, description: 'Null for a service key' }),
    memberName: t.exposeString('memberName', { nullable: true }),
  }),
});

const CampaignFilterInput = builder.inputType('CampaignFilter', {
  description: 'Every given field must match; a list matches any of its values',
  fields: (t) => ({
    states: t.field({ type: [CampaignStateEnum], required: false }),
    channels: t.stringList({
      required: false,
      description: 'Channels of the plan, a step or its failover (e.g. channel:sms-aliyun)',
    }),
    createdFrom: t.field({ type: 'DateTime', required: false, description: 'Created at or after' }),
    createdBefore: t.field({ type: 'DateTime', required: false, description: 'Created before' }),
    creatorKeyIds: t.idList({
      required: false,
      description: 'Created by one of these keys (a run: by its template’s creator)',
    }),
    creatorMemberIds: t.idList({ required: false, description: 'Created by a key of one of these members' }),
    search: t.string({ required: false, description: 'Part of the name, case-insensitive' }),
  }),
});

builder.objectField(Campaign, 'createdBy', (t) =>
  t.field({
    type: CampaignCreator,
    nullable: true,
    description: 'Who created it; null when not recorded',
    resolve: (c, _args, ctx) => campaignCreator(ctx.deps, ctx.principal, c.id),
  }),
);

builder.queryFields((t) => ({
  campaigns: t.field({
    type: CampaignConnection,
    description: 'Newest first; only those matching every field of filter',
    args: {
      first: t.arg.int({ required: false, defaultValue: 20 }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: CampaignFilterInput, required: false }),
    },
    resolve: (_root, args, ctx) =>
      listCampaigns(ctx.deps, ctx.principal, {
        first: args.first ?? 20,
        after: args.after,
        filter: args.filter && {
          ...args.filter,
          creatorKeyIds: args.filter.creatorKeyIds?.map(String),
          creatorMemberIds: args.filter.creatorMemberIds?.map(String),
        },
      }),
  }),
  campaignCreators: t.field({
    type: [CampaignCreator],
    description: 'Everyone who created a campaign of the workspace: the choices of the creator filter',
    resolve: (_root, _args, ctx) => listCampaignCreators(ctx.deps, ctx.principal),
  }),
}));
