import type { Campaign as CampaignShape } from '@qunfa/core';
import {
  createApprovalPolicy,
  deleteApprovalPolicy,
  listApprovalPolicies,
  type ApprovalPolicy as PolicyShape,
} from '../../services/approval-policies.js';
import { loadFindings } from '../../services/findings.js';
import { overrideFinding } from '../../services/review-gate.js';
import { reviewQueue, reviewQueueUpdates } from '../../services/review-queue.js';
import {
  loadReview,
  type Review as ReviewShape,
  type ReviewStep as StepShape,
} from '../../services/review-state.js';
import { approveStep, rejectReview, submitForReview } from '../../services/reviews.js';
import { builder } from '../builder.js';
import { ApprovedVersion } from './approved-version.js';
import { Campaign } from './campaign.js';
import { CampaignFinding } from './finding.js';

const ReviewStep = builder.objectRef<StepShape>('ReviewStep').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    separated: t.exposeBoolean('separated', {
      description: "The campaign's author may not approve this step (when the workspace separates duties)",
    }),
    status: t.exposeString('status', { description: 'pending, approved or rejected' }),
    approverKeyId: t.id({ nullable: true, resolve: (s) => s.approverKeyId }),
    comment: t.string({ nullable: true, resolve: (s) => s.comment }),
    at: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.at }),
  }),
});

const Review = builder.objectRef<ReviewShape>('Review').implement({
  description: "A campaign's current review round",
  fields: (t) => ({
    round: t.exposeInt('round'),
    status: t.exposeString('status', { description: 'in_review, approved, rejected or reopened' }),
    reasons: t.exposeStringList('reasons', {
      description: 'The policies that required it, and what matched',
    }),
    steps: t.field({ type: [ReviewStep], resolve: (r) => r.steps }),
    submittedAt: t.field({ type: 'DateTime', resolve: (r) => r.submittedAt }),
    lastApproved: t.field({
      type: ApprovedVersion,
      nullable: true,
      description:
        'The version the last approved round approved, to compare with this one; null before the first approval',
      resolve: (r) => r.lastApproved,
    }),
  }),
});

const ApprovalPolicy = builder.objectRef<PolicyShape>('ApprovalPolicy').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    audienceOver: t.int({ nullable: true, resolve: (p) => p.audienceOver }),
    onRevise: t.exposeBoolean('onRevise'),
    findingCodes: t.exposeStringList('findingCodes'),
    channels: t.exposeStringList('channels'),
    steps: t.exposeStringList('steps'),
    separatedSteps: t.stringList({
      description: "Steps the campaign's author may not approve",
      resolve: (p) => p.separatedSteps ?? p.steps,
    }),
  }),
});

builder.objectFields(Campaign, (t) => ({
  findings: t.field({
    type: [CampaignFinding],
    description: 'Findings of the last check (submit for review, start), with their spans and overrides',
    resolve: (c: CampaignShape, _args, ctx) => loadFindings(ctx.deps.db, c.id),
  }),
  review: t.field({
    type: Review,
    nullable: true,
    resolve: (c: CampaignShape, _args, ctx) => loadReview(ctx.deps.db, c.id),
  }),
}));

const ApprovalPolicyInput = builder.inputType('ApprovalPolicyInput', {
  fields: (t) => ({
    name: t.string(),
    audienceOver: t.int({ required: false, description: 'Review when the audience is larger' }),
    onRevise: t.boolean({ required: false, description: 'Review when any finding is revise' }),
    findingCodes: t.stringList({
      required: false,
      description: 'Review when a finding has one of these codes',
    }),
    channels: t.stringList({
      required: false,
      description: 'Review when the plan uses one of these channels',
    }),
    steps: t.stringList({ description: 'Steps in order, e.g. business, legal, technical' }),
    separatedSteps: t.stringList({
      required: false,
      description:
        "Steps the campaign's author may not approve while the workspace separates duties; default: every step",
    }),
  }),
});

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;

builder.queryFields((t) => ({
  reviewQueue: t.field({
    type: [Campaign],
    description: 'Campaigns in review, longest waiting first',
    resolve: (_root, _args, ctx) => reviewQueue(ctx.deps, ctx.principal),
  }),
  approvalPolicies: t.field({
    type: [ApprovalPolicy],
    description: 'Without any, the default applies: any revise finding or an audience over 500',
    resolve: (_root, _args, ctx) => listApprovalPolicies(ctx.deps, ctx.principal),
  }),
}));

builder.mutationFields((t) => ({
  submitCampaignForReview: t.field({
    type: Campaign,
    description:
      'Checks the campaign, stores its findings and opens a review round (COMPLIANCE_BLOCKED on a block finding)',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => submitForReview(ctx.deps, ctx.principal, String(id)),
  }),
  approveCampaign: t.field({
    type: Campaign,
    description: 'Approves the next step (approver role); the last step approves the campaign',
    args: {
      id: t.arg.id(),
      comment: t.arg.string({ required: false }),
      step: t.arg.string({ required: false, description: 'The step meant; CONFLICT when another is next' }),
    },
    resolve: (_root, args, ctx) =>
      approveStep(ctx.deps, ctx.principal, String(args.id), { comment: args.comment, step: args.step }),
  }),
  rejectCampaign: t.field({
    type: Campaign,
    description: 'Rejects the review with a comment (approver role); the campaign goes back to draft',
    args: { id: t.arg.id(), comment: t.arg.string() },
    resolve: (_root, args, ctx) => rejectReview(ctx.deps, ctx.principal, String(args.id), args.comment),
  }),
  overrideFinding: t.field({
    type: CampaignFinding,
    description: 'Overrides a revise finding with a reason (approver role); a block finding never can be',
    args: { campaignId: t.arg.id(), findingKey: t.arg.string(), reason: t.arg.string() },
    resolve: (_root, args, ctx) =>
      overrideFinding(ctx.deps, ctx.principal, String(args.campaignId), args.findingKey, args.reason),
  }),
  createApprovalPolicy: t.field({
    type: ApprovalPolicy,
    description: 'Admin role',
    args: { input: t.arg({ type: ApprovalPolicyInput }) },
    resolve: (_root, { input }, ctx) => createApprovalPolicy(ctx.deps, ctx.principal, defined(input)),
  }),
  deleteApprovalPolicy: t.field({
    type: 'Boolean',
    description: 'Admin role',
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => deleteApprovalPolicy(ctx.deps, ctx.principal, String(id)),
  }),
}));

builder.subscriptionField('reviewQueue', (t) =>
  t.field({
    type: [Campaign],
    description:
      'The review queue now, then again whenever a campaign enters, moves through or leaves review',
    subscribe: (_root, _args, ctx) => reviewQueueUpdates(ctx.deps, ctx.principal),
    resolve: (queue: CampaignShape[]) => queue,
  }),
);
