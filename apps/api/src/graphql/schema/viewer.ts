import { eq } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { workspaces } from '../../db/schema/index.js';
import { builder } from '../builder.js';
import { RoleEnum } from './enums.js';

export interface WorkspaceShape {
  id: number;
  name: string;
  timeZone: string;
  quietHours: string | null;
  separationOfDuties: boolean;
  openPixel: boolean;
}

export const Workspace = builder.objectRef<WorkspaceShape>('Workspace').implement({
  fields: (t) => ({
    id: t.id({ resolve: (w) => String(w.id) }),
    name: t.exposeString('name'),
    timeZone: t.exposeString('timeZone'),
    separationOfDuties: t.exposeBoolean('separationOfDuties', {
      description: 'On (the default): the author of a campaign may not approve it',
    }),
    openPixel: t.exposeBoolean('openPixel', {
      description:
        'On: e-mail (HTML) of campaigns started from then on carries a 1×1 open pixel, whose first load marks the delivery read; no IP address or user agent is kept. Off by default',
    }),
  }),
});

const Viewer = builder.objectRef<Principal>('Viewer').implement({
  description: 'The caller: its API key, role and workspace',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, resolve: (p) => p.role }),
    keyName: t.exposeString('keyName'),
    workspace: t.field({
      type: Workspace,
      resolve: async (p, _args, ctx) => {
        const [row] = await ctx.deps.db.select().from(workspaces).where(eq(workspaces.id, p.workspaceId));
        return row!;
      },
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({ type: Viewer, resolve: (_root, _args, ctx) => authorize(ctx.principal, 'read') }),
);
