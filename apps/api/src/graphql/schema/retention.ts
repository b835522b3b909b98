import {
  type Retention as RetentionShape,
  setRetention,
  workspaceRetention,
} from '../../services/retention/retention-settings.js';
import { builder } from '../builder.js';
import { Workspace } from './viewer.js';

const Retention = builder.objectRef<RetentionShape>('Retention').implement({
  description:
    'Days personal data is kept before the retention job removes it (rows stay, emptied, so counts add up)',
  fields: (t) => ({
    inboundDays: t.exposeInt('inboundDays', {
      description: "What contacts wrote (text, media) and operators' replies; default 180",
    }),
    deliveryDetailDays: t.exposeInt('deliveryDetailDays', {
      description: 'Provider message ids, provider errors and raw receipt payloads; default 30',
    }),
    evidenceDays: t.exposeInt('evidenceDays', {
      description: 'Complaint evidence bundles not under a legal hold; default 365',
    }),
  }),
});

const RetentionInput = builder.inputType('RetentionInput', {
  fields: (t) => ({
    inboundDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
    deliveryDetailDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
    evidenceDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
  }),
});

builder.objectField(Workspace, 'retention', (t) =>
  t.field({ type: Retention, resolve: (w, _args, ctx) => workspaceRetention(ctx.deps.db, w.id) }),
);

builder.mutationField('setRetention', (t) =>
  t.field({
    type: Retention,
    description: "Admins: the workspace's retention per kind of personal data",
    args: { input: t.arg({ type: RetentionInput }) },
    resolve: (_root, { input }, ctx) => setRetention(ctx.deps, ctx.principal, input),
  }),
);
