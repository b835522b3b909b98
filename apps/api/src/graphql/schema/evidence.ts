import { complaintEvidence, type EvidenceBundleRow } from '../../services/evidence/evidence-bundles.js';
import { setEvidenceHold } from '../../services/retention/evidence-hold.js';
import { builder } from '../builder.js';

const EvidenceBundle = builder.objectRef<EvidenceBundleRow>('EvidenceBundle').implement({
  description:
    "A complaint's evidence, assembled when it was classified: the reply, the content as sent, every attempt and receipt, the campaign's review, approvals and findings, the consent record and the audit entries",
  fields: (t) => ({
    id: t.exposeID('id'),
    triageItemId: t.id({ resolve: (b) => b.triageItemId }),
    document: t.exposeString('document', {
      description:
        'The JSON file (canonical: keys sorted, no whitespace), byte for byte as hashed and signed',
    }),
    sha256: t.exposeString('sha256', { description: 'Hex SHA-256 of `document`, also in the audit log' }),
    signature: t.exposeString('signature', {
      nullable: true,
      description: "Hex HMAC-SHA-256 of `document` with the deployment's evidence key",
    }),
    legalHoldAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: "Under a legal hold since then: kept whole through the person's erasure and retention",
      resolve: (b) => b.legalHoldAt,
    }),
    legalHoldReason: t.exposeString('legalHoldReason', { nullable: true }),
    redactedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When erasure or retention replaced the document with a stub; sha256 still names the original',
      resolve: (b) => b.redactedAt,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (b) => b.createdAt }),
  }),
});

builder.mutationField('setEvidenceHold', (t) =>
  t.field({
    type: EvidenceBundle,
    description:
      'Admins: a legal hold on a complaint evidence bundle (a reason), or lifted (null); CONFLICT for a redacted bundle',
    args: { id: t.arg.id(), reason: t.arg.string({ required: false }) },
    resolve: (_root, args, ctx) =>
      setEvidenceHold(ctx.deps, ctx.principal, String(args.id), args.reason ?? null),
  }),
);

builder.queryFields((t) => ({
  complaintEvidence: t.field({
    type: EvidenceBundle,
    nullable: true,
    description: "Operators: a complaint item's evidence bundle; null for an item that is no complaint",
    args: { triageItemId: t.arg.id() },
    resolve: (_root, args, ctx) => complaintEvidence(ctx.deps, ctx.principal, String(args.triageItemId)),
  }),
}));
