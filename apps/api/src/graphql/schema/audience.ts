import {
  audiencePreview,
  campaignAudiencePreview,
  type AudiencePreview as PreviewShape,
} from '../../services/audience-preview.js';
import { setTagByAudience } from '../../services/contact-tagging.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
import { Contact } from './contact.js';
import { CustomerGroup } from './customer-group.js';
import { ContactKindEnum, SuppressionReasonEnum } from './enums.js';

const AUDIENCE_DOC =
  'An audience expression (JSON): {"tag": id} | {"tagUnder": id} | {"region": {"province"?, "city"?, "district"?}} | ' +
  '{"device": "ios"} | {"activeWithinDays": n} | {"attribute": {"key", "op": "eq"|"in"|"exists"|"gt"|"gte"|"lt"|"lte", "value"|"values"}} | ' +
  '{"groups": {"owners"?: [userid], "nameContains"?}} | {"and": [...]} | {"or": [...]} | {"not": {...}} | {"all": true}. ' +
  'An expression that says {"groups": …} anywhere selects customer groups and only them (its tag, not and or leaves are read on groups: ' +
  '{"and": [{"groups": {}}, {"tag": id}]} is the groups with that tag); any other selects persons and only them ({"all": true} is every person).';

const SuppressionCount = builder
  .objectRef<{ reason: PreviewShape['suppressed'][number]['reason']; count: number }>('SuppressionCount')
  .implement({
    fields: (t) => ({
      reason: t.field({ type: SuppressionReasonEnum, resolve: (s) => s.reason }),
      count: t.exposeInt('count'),
    }),
  });

const AudiencePreview = builder.objectRef<PreviewShape>('AudiencePreview').implement({
  description: 'An exact count of an audience as of `asOf`, its suppressions by reason, and a sample.',
  fields: (t) => ({
    matched: t.exposeInt('matched', {
      description: 'Persons the expression selects — or customer groups, for a group audience',
    }),
    sendable: t.exposeInt('sendable', { description: 'Matched minus suppressed' }),
    suppressedTotal: t.int({ resolve: (p) => p.suppressed.reduce((a, s) => a + s.count, 0) }),
    suppressed: t.field({
      type: [SuppressionCount],
      description: 'By the first reason that holds, in plan order; each contact counted once',
      resolve: (p) => p.suppressed,
    }),
    sample: t.field({
      type: [Contact],
      description: 'Persons of a person audience; empty for a group audience',
      resolve: (p) => p.sample(),
    }),
    groupSample: t.field({
      type: [CustomerGroup],
      description:
        'Customer groups of a group audience (one that says {"groups": …}); empty for a person audience',
      resolve: (p) => p.groupSample(),
    }),
    targets: t.field({
      type: ContactKindEnum,
      description: 'GROUP when the audience selects customer groups (it says {"groups": …}), else PERSON',
      resolve: (p) => p.targets,
    }),
    asOf: t.field({ type: 'DateTime', resolve: (p) => p.asOf }),
    summary: t.exposeString('summary', {
      description: 'e.g. "12,034 match, 311 suppressed: 280 unsubscribed, 31 complained"',
    }),
  }),
});

builder.objectField(Campaign, 'audiencePreview', (t) =>
  t.field({
    type: AudiencePreview,
    nullable: true,
    description:
      'Before a start (draft to scheduled): its audience counted now, suppressions by reason, no sample; null once it started (its counters count the planned audience)',
    resolve: (campaign, _args, ctx) => campaignAudiencePreview(ctx.deps, ctx.principal, campaign),
  }),
);

builder.queryField('audiencePreview', (t) =>
  t.field({
    type: AudiencePreview,
    args: {
      audience: t.arg({ type: 'JSON', description: AUDIENCE_DOC }),
      sampleSize: t.arg.int({ required: false, defaultValue: 10 }),
      excludeDormant: t.arg.boolean({
        required: false,
        defaultValue: false,
        description: 'Count contacts inactive 30 days (or never active) as suppressed: dormant',
      }),
    },
    resolve: (_root, args, ctx) =>
      audiencePreview(ctx.deps, ctx.principal, {
        audience: args.audience,
        sampleSize: args.sampleSize ?? 10,
        excludeDormant: args.excludeDormant ?? false,
      }),
  }),
);

builder.mutationFields((t) => ({
  tagContactsByAudience: t.int({
    description: 'Adds a tag to every contact of an audience; returns how many were not tagged before.',
    args: { tagId: t.arg.id(), audience: t.arg({ type: 'JSON', description: AUDIENCE_DOC }) },
    resolve: (_root, args, ctx) =>
      setTagByAudience(ctx.deps, ctx.principal, {
        tagId: String(args.tagId),
        audience: args.audience,
        tagged: true,
      }),
  }),
  untagContactsByAudience: t.int({
    description: 'Removes a tag from every contact of an audience; returns how many had it.',
    args: { tagId: t.arg.id(), audience: t.arg({ type: 'JSON', description: AUDIENCE_DOC }) },
    resolve: (_root, args, ctx) =>
      setTagByAudience(ctx.deps, ctx.principal, {
        tagId: String(args.tagId),
        audience: args.audience,
        tagged: false,
      }),
  }),
}));
