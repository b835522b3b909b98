import { type AuditEntryRow, exportAuditLog, listAuditEntries } from '../../services/audit/audit-log.js';
import { builder } from '../builder.js';
import { connectionOf } from './connection.js';

const AuditEntry = builder.objectRef<AuditEntryRow>('AuditEntry').implement({
  description: 'Who did what to which object, when (never secrets or message bodies)',
  fields: (t) => ({
    id: t.exposeID('id'),
    at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    actorKind: t.exposeString('actorKind', { description: 'user, api_key, worker or system' }),
    actorId: t.exposeString('actorId'),
    action: t.exposeString('action', { description: '`campaign.started`, `triage.assign`, …' }),
    subjectType: t.exposeString('subjectType'),
    subjectId: t.exposeString('subjectId'),
    details: t.field({ type: 'JSON', resolve: (e) => e.details }),
  }),
});

const AuditEntryConnection = connectionOf('AuditEntry', AuditEntry);

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    actorKind: t.string({ required: false, description: 'user, api_key, worker or system' }),
    actorId: t.string({ required: false }),
    action: t.string({
      required: false,
      description: 'An exact action, or a family ending in `*` (`triage.*`)',
    }),
    subjectType: t.string({ required: false, description: 'campaign, contact, triage_item, workspace, …' }),
    subjectId: t.string({ required: false }),
    from: t.field({ type: 'DateTime', required: false, description: 'At or after' }),
    to: t.field({ type: 'DateTime', required: false, description: 'At or before' }),
  }),
});

const AuditExportFormat = builder.enumType('AuditExportFormat', { values: ['CSV', 'JSONL'] as const });

const AuditExport = builder
  .objectRef<{ format: 'csv' | 'jsonl'; count: number; content: string }>('AuditExport')
  .implement({
    fields: (t) => ({
      format: t.field({ type: AuditExportFormat, resolve: (e) => (e.format === 'csv' ? 'CSV' : 'JSONL') }),
      count: t.exposeInt('count'),
      content: t.exposeString('content', { description: 'The file: CSV (RFC 4180) or JSON Lines' }),
    }),
  });

type FilterArg = {
  actorKind?: string | null;
  actorId?: string | null;
  action?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  from?: Date | null;
  to?: Date | null;
} | null;

const filterOf = (f: FilterArg | undefined) => (f ? ({ ...f } as never) : null);

builder.queryFields((t) => ({
  auditLog: t.field({
    type: AuditEntryConnection,
    description:
      "Admins: the workspace's audit log, newest first, filtered by actor, action, object and time",
    args: {
      first: t.arg.int({ required: false, description: '1–500, default 50' }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: AuditFilter, required: false }),
    },
    resolve: (_root, args, ctx) =>
      listAuditEntries(ctx.deps, ctx.principal, {
        ...(args.first === null || args.first === undefined ? {} : { first: args.first }),
        after: args.after ?? null,
        filter: filterOf(args.filter as FilterArg),
      }),
  }),
  auditLogExport: t.field({
    type: AuditExport,
    description:
      'Admins: the filtered audit log as a CSV or JSON Lines file, oldest first (at most 50,000 entries)',
    args: {
      format: t.arg({ type: AuditExportFormat }),
      filter: t.arg({ type: AuditFilter, required: false }),
    },
    resolve: (_root, args, ctx) =>
      exportAuditLog(ctx.deps, ctx.principal, {
        format: args.format === 'CSV' ? 'csv' : 'jsonl',
        filter: filterOf(args.filter as FilterArg),
      }),
  }),
}));
