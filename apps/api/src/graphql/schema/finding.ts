import { type Finding as FindingShape, findingLevels } from '@qunfa/core';
import { checkContentLive } from '../../services/check-content.js';
import type { StoredFinding } from '../../services/findings.js';
import { builder } from '../builder.js';

export const FindingLevelEnum = builder.enumType('FindingLevel', {
  values: Object.fromEntries(findingLevels.map((l) => [l.toUpperCase(), { value: l }])) as Record<
    string,
    { value: FindingShape['level'] }
  >,
});

const TextSpan = builder.objectRef<{ start: number; end: number }>('TextSpan').implement({
  description: 'A UTF-16 range [start, end) of the original text, as a browser highlights it',
  fields: (t) => ({ start: t.exposeInt('start'), end: t.exposeInt('end') }),
});

const Finding = builder.interfaceRef<FindingShape>('Finding').implement({
  description: 'What a compliance rule found, and where in the text',
  fields: (t) => ({
    rule: t.exposeString('rule'),
    level: t.field({ type: FindingLevelEnum, resolve: (f) => f.level }),
    code: t.exposeString('code', { description: 'Stable: clients branch on it' }),
    message: t.exposeString('message', {
      description: 'English, for people reading the API; a client words the finding from code and params',
    }),
    params: t.field({
      type: 'JSON',
      nullable: true,
      description:
        "The values the message names (term, limit, domain…) by name, as the rule's documentation lists them for its code",
      resolve: (f) => f.params ?? null,
    }),
    span: t.field({ type: TextSpan, nullable: true, resolve: (f) => f.span ?? null }),
    channel: t.string({ nullable: true, resolve: (f) => f.channel ?? null }),
  }),
});

export const ContentFinding = builder.objectRef<FindingShape>('ContentFinding').implement({
  interfaces: [Finding],
  fields: () => ({}),
});

const FindingOverride = builder
  .objectRef<NonNullable<StoredFinding['override']>>('FindingOverride')
  .implement({
    fields: (t) => ({
      reason: t.exposeString('reason'),
      approverKeyId: t.exposeID('approverKeyId'),
      at: t.field({ type: 'DateTime', resolve: (o) => o.at }),
    }),
  });

export const CampaignFinding = builder.objectRef<StoredFinding>('CampaignFinding').implement({
  description: 'A finding stored with its campaign when it was last checked',
  interfaces: [Finding],
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'Stable while the content is unchanged; what an override names',
    }),
    variantId: t.id({ nullable: true, resolve: (f) => f.variantId ?? null }),
    override: t.field({ type: FindingOverride, nullable: true, resolve: (f) => f.override }),
  }),
});

builder.queryField('checkContent', (t) =>
  t.field({
    type: [ContentFinding],
    description:
      'Findings on a draft text for live highlighting: in memory, against the workspace lexicons as they are now.',
    args: {
      text: t.arg.string(),
      channels: t.arg.stringList({ required: false }),
      subject: t.arg.string({ required: false }),
      type: t.arg.string({ required: false, description: 'Content type; default text' }),
    },
    resolve: (_root, args, ctx) =>
      checkContentLive(ctx.deps, ctx.principal, {
        text: args.text,
        ...(args.channels ? { channels: args.channels } : {}),
        ...(args.subject ? { subject: args.subject } : {}),
        ...(args.type ? { type: args.type } : {}),
      }),
  }),
);
