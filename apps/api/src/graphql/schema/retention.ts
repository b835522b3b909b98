import { type CampaignArchive, campaignArchive } from '../../services/retention/archived-summary.js';
import { type ArchiveRestore, restoreArchiveForAdmin } from '../../services/retention/restore-archives.js';
import {
  type Retention as RetentionShape,
  setRetention,
  workspaceRetention,
} from '../../services/retention/retention-settings.js';
import { builder } from '../builder.js';
import { Campaign } from './campaign.js';
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
    archiveDays: t.exposeInt('archiveDays', {
      description:
        'After a campaign finished, its deliveries, attempts and events move to an archive file (its counters, funnel and cost stay readable); default 30',
    }),
  }),
});

const RetentionInput = builder.inputType('RetentionInput', {
  fields: (t) => ({
    inboundDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
    deliveryDetailDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
    evidenceDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
    archiveDays: t.int({ required: false, description: '1–3650; omitted: the default' }),
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

const CampaignArchiveRef = builder.objectRef<CampaignArchive>('CampaignArchive').implement({
  description:
    "Where a finished campaign's deliveries, attempts and events went; its counters, funnel, cost and metrics read the same after",
  fields: (t) => ({
    state: t.exposeString('state', {
      description:
        'deleting (rows being removed), archived (none left in the hot tables) or restored (re-imported)',
    }),
    path: t.exposeString('path', {
      description:
        'The gzipped JSON Lines file: relative to the archive folder, or s3://<bucket>/<key> in an S3-compatible bucket',
    }),
    deliveries: t.exposeInt('deliveries'),
    attempts: t.exposeInt('attempts'),
    events: t.exposeInt('events'),
    sha256: t.exposeString('sha256', {
      description: "Of the file's bytes, checked before removal and re-import",
    }),
    archivedAt: t.field({ type: 'DateTime', resolve: (a) => a.archivedAt }),
    restoredAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.restoredAt }),
  }),
});

builder.objectField(Campaign, 'archive', (t) =>
  t.field({
    type: CampaignArchiveRef,
    nullable: true,
    description: "The campaign's archive; null while its rows are only in the hot tables",
    resolve: (c, _args, ctx) => campaignArchive(ctx.deps.db, c.id),
  }),
);

const ArchiveRestoreRef = builder.objectRef<ArchiveRestore>('ArchiveRestore').implement({
  description: 'What a re-import of archived days put back',
  fields: (t) => ({
    campaigns: t.exposeInt('campaigns', {
      description: 'Archived campaigns of those days whose rows were put back now',
    }),
    alreadyRestored: t.exposeInt('alreadyRestored', {
      description: 'Campaigns of those days restored before: nothing done again',
    }),
    inProgress: t.exposeInt('inProgress', {
      description:
        'Campaigns of those days whose rows are still being removed by the retention job: try again after it',
    }),
    deliveries: t.exposeInt('deliveries', {
      description: 'Rows put back (rows already there are skipped, not counted)',
    }),
    attempts: t.exposeInt('attempts'),
    events: t.exposeInt('events'),
  }),
});

builder.mutationField('restoreArchive', (t) =>
  t.field({
    type: ArchiveRestoreRef,
    description:
      "Admins: puts back the deliveries, attempts and events of the workspace's campaigns archived for the UTC days from–to (the day each finished; to defaults to from, at most 366 days), read from the server's archive target (folder or S3-compatible bucket). Each archive is checked (sha256, trailer) before any of its rows is written (a damaged one: CONFLICT, ARCHIVE_CORRUPT); rows already there are skipped, so a second call adds nothing",
    args: {
      from: t.arg.string({ required: true, description: 'First UTC day, YYYY-MM-DD' }),
      to: t.arg.string({ required: false, description: 'Last UTC day, YYYY-MM-DD; default from' }),
    },
    resolve: (_root, args, ctx) => restoreArchiveForAdmin(ctx.deps, ctx.principal, args),
  }),
);
