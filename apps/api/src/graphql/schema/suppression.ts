import { manualSuppressionReasons, setSuppression } from '../../services/suppressions.js';
import { builder } from '../builder.js';

const ManualSuppressionReason = builder.enumType('ManualSuppressionReason', {
  values: Object.fromEntries(manualSuppressionReasons.map((r) => [r.toUpperCase(), { value: r }])) as Record<
    string,
    { value: (typeof manualSuppressionReasons)[number] }
  >,
});

builder.mutationFields((t) => ({
  suppressContacts: t.int({
    description: 'Records a suppression with its reason; returns how many contacts did not have it.',
    args: {
      contactIds: t.arg.idList(),
      reason: t.arg({ type: ManualSuppressionReason }),
      note: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) =>
      setSuppression(ctx.deps, ctx.principal, {
        contactIds: args.contactIds.map(String),
        reason: args.reason,
        note: args.note ?? null,
        suppressed: true,
      }),
  }),
  unsuppressContacts: t.int({
    description: 'Lifts a suppression (e.g. after a new opt-in); returns how many contacts had it.',
    args: { contactIds: t.arg.idList(), reason: t.arg({ type: ManualSuppressionReason }) },
    resolve: (_root, args, ctx) =>
      setSuppression(ctx.deps, ctx.principal, {
        contactIds: args.contactIds.map(String),
        reason: args.reason,
        suppressed: false,
      }),
  }),
}));
