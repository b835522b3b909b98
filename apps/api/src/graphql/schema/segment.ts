import { listSegments, type Segment as SegmentShape, saveSegment } from '../../services/segments.js';
import { builder } from '../builder.js';

export const SegmentRef = builder.objectRef<SegmentShape>('Segment');
const Segment = SegmentRef.implement({
  description:
    'A saved audience expression. Campaigns on it follow its edits until they start, then keep the recipients they started with.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    audience: t.field({ type: 'JSON', resolve: (s) => s.audience }),
    updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.updatedAt }),
  }),
});

builder.queryField('segments', (t) =>
  t.field({ type: [Segment], resolve: (_root, _args, ctx) => listSegments(ctx.deps, ctx.principal) }),
);

builder.mutationField('saveSegment', (t) =>
  t.field({
    type: Segment,
    description: 'Creates a segment, or renames / re-aims the one with `id`.',
    args: { id: t.arg.id({ required: false }), name: t.arg.string(), audience: t.arg({ type: 'JSON' }) },
    resolve: (_root, args, ctx) =>
      saveSegment(ctx.deps, ctx.principal, {
        id: args.id === null || args.id === undefined ? null : String(args.id),
        name: args.name,
        audience: args.audience,
      }),
  }),
);
