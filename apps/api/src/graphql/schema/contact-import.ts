import {
  errorReportCsv,
  getContactImport,
  type ContactImport as ImportShape,
  startContactImport,
} from '../../services/contact-imports.js';
import { builder } from '../builder.js';

builder.scalarType('File', {
  description: 'A file sent as a multipart upload',
  serialize: () => {
    throw new Error('File is an input only');
  },
});

const ImportError = builder
  .objectRef<{ row: number; field: string; reason: string }>('ImportError')
  .implement({
    fields: (t) => ({
      row: t.exposeInt('row', { description: 'Spreadsheet row (the header is row 1); 0 for the whole file' }),
      field: t.exposeString('field'),
      reason: t.exposeString('reason'),
    }),
  });

const ContactImport = builder.objectRef<ImportShape>('ContactImport').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    state: t.exposeString('state', {
      description: 'running, completed, rejected (nothing applied) or failed',
    }),
    encoding: t.exposeString('encoding', { nullable: true, description: 'utf8 or gb18030, as read' }),
    phase: t.string({
      nullable: true,
      description: 'reading or merging while running',
      resolve: (i) => i.progress?.phase ?? null,
    }),
    rows: t.int({ description: 'Data rows read so far', resolve: (i) => i.progress?.rows ?? i.rows }),
    created: t.exposeInt('created'),
    merged: t.exposeInt('merged', { description: 'Rows merged into an existing contact or an earlier row' }),
    failed: t.int({ resolve: (i) => i.progress?.failed ?? i.failed }),
    errors: t.field({ type: [ImportError], resolve: (i) => i.errors.slice(0, 1000) }),
    errorReportCsv: t.string({
      description: 'Every reported bad row as a CSV download (UTF-8 with BOM)',
      resolve: (i) => errorReportCsv(i.errors),
    }),
    startedAt: t.field({ type: 'DateTime', resolve: (i) => i.startedAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (i) => i.finishedAt }),
  }),
});

builder.queryField('contactImport', (t) =>
  t.field({
    type: ContactImport,
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => getContactImport(ctx.deps, ctx.principal, String(id)),
  }),
);

builder.mutationField('importContacts', (t) =>
  t.field({
    type: ContactImport,
    description:
      'Imports a CSV (UTF-8 with or without BOM, or GB18030) sent as a multipart upload. Returns at once; ' +
      'follow it with `contactImport(id)` or the `contactImportProgress` subscription.',
    args: {
      file: t.arg({ type: 'File' }),
      encoding: t.arg.string({ required: false, description: 'auto (default), utf8 or gb18030' }),
      mapping: t.arg({
        type: 'JSON',
        required: false,
        description:
          'Header → name, phone, email, wxid, …, tags, province, city, district, device, lastActiveAt, attribute:<key> or ignore',
      }),
      allOrNothing: t.arg.boolean({ required: false, description: 'Apply nothing when any row is bad' }),
    },
    resolve: async (_root, args, ctx) =>
      (
        await startContactImport(ctx.deps, ctx.principal, args.file.stream(), {
          encoding: args.encoding ?? undefined,
          mapping: args.mapping ?? undefined,
          allOrNothing: args.allOrNothing ?? undefined,
        })
      ).record,
  }),
);

builder.subscriptionField('contactImportProgress', (t) =>
  t.field({
    type: ContactImport,
    description: 'The import now, then about twice a second until it has finished.',
    args: { id: t.arg.id() },
    subscribe: async function* (_root, { id }, ctx) {
      for (;;) {
        const current = await getContactImport(ctx.deps, ctx.principal, String(id));
        yield current;
        if (current.state !== 'running') return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    resolve: (i: ImportShape) => i,
  }),
);
