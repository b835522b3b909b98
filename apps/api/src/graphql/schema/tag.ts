import type { Tag as TagShape } from '@qunfa/core';
import { createTag, listTags } from '../../services/tags.js';
import { builder } from '../builder.js';

export const Tag = builder.objectRef<TagShape & { kind: string; source?: string | null }>('Tag').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    parentId: t.exposeID('parentId', { nullable: true }),
    kind: t.exposeString('kind', { description: 'attribute, behavioural or predicted' }),
    source: t.string({
      nullable: true,
      description:
        "The channel a synced tag came from (channel:wecom corp tags, an Official Account's tags); null for the workspace's own",
      resolve: (tag) => tag.source ?? null,
    }),
  }),
});

const CreateTagInput = builder.inputType('CreateTagInput', {
  fields: (t) => ({
    name: t.string(),
    parentId: t.id({ required: false }),
    kind: t.string({ required: false, description: 'attribute (default), behavioural or predicted' }),
  }),
});

builder.queryField('tags', (t) =>
  t.field({ type: [Tag], resolve: (_root, _args, ctx) => listTags(ctx.deps, ctx.principal) }),
);

builder.mutationField('createTag', (t) =>
  t.field({
    type: Tag,
    args: { input: t.arg({ type: CreateTagInput }) },
    resolve: (_root, { input }, ctx) =>
      createTag(ctx.deps, ctx.principal, { ...input, kind: input.kind ?? undefined }),
  }),
);
