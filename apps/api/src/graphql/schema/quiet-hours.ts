import { formatQuietHours, type QuietHoursSetting } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { authorize } from '../../auth/roles.js';
import { workspaces } from '../../db/schema/index.js';
import {
  defaultQuietHours,
  type QuietHoursView,
  quietHoursView,
  setWorkspaceQuietHours,
  workspaceQuietHours,
} from '../../services/quiet-hours.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { Campaign } from './campaign.js';
import { QuietHoursInputRef, QuietHoursModeEnum } from './quiet-hours-input.js';
import { Workspace } from './viewer.js';

export const QuietHours = builder.objectRef<QuietHoursView>('QuietHours').implement({
  description: "A daily period, in each recipient's time zone, in which sends are deferred to its end",
  fields: (t) => ({
    mode: t.field({ type: QuietHoursModeEnum, description: 'How it is set here', resolve: (q) => q.mode }),
    enabled: t.exposeBoolean('enabled', {
      description: 'Whether sends are deferred at all, after inheritance',
    }),
    start: t.string({
      nullable: true,
      description: 'Local start, HH:MM (null when off)',
      resolve: (q) => q.start,
    }),
    end: t.string({
      nullable: true,
      description: 'Local end, HH:MM; before start: past midnight (null when off)',
      resolve: (q) => q.end,
    }),
  }),
});

const serverDefault = (ctx: GraphQLContext) => ctx.deps.quietHours ?? defaultQuietHours;

/** A campaign's own quiet hours, or its workspace's when it has none. */
export async function campaignQuietHours(
  ctx: GraphQLContext,
  workspaceId: string,
  own: QuietHoursSetting | null,
): Promise<QuietHoursView> {
  const workspace = await workspaceQuietHours(ctx.deps.db, serverDefault(ctx), Number(workspaceId));
  const inherited = workspace.enabled ? { start: workspace.start!, end: workspace.end! } : 'off';
  return quietHoursView(own === null ? null : formatQuietHours(own), inherited);
}

builder.objectField(Workspace, 'quietHours', (t) =>
  t.field({
    type: QuietHours,
    resolve: (w, _args, ctx) => quietHoursView(w.quietHours ?? null, serverDefault(ctx)),
  }),
);

builder.objectField(Campaign, 'quietHours', (t) =>
  t.field({
    type: QuietHours,
    description: "The campaign's own setting, or its workspace's",
    resolve: (c, _args, ctx) => campaignQuietHours(ctx, c.workspaceId, c.quietHours),
  }),
);

builder.mutationField('setWorkspaceQuietHours', (t) =>
  t.field({
    type: Workspace,
    description:
      "Admins: the workspace's quiet hours. Deliveries deferred by quiet hours are judged again at once under the new setting.",
    args: { input: t.arg({ type: QuietHoursInputRef }) },
    resolve: async (_root, { input }, ctx) => {
      await setWorkspaceQuietHours(ctx.deps, ctx.principal, input);
      const p = authorize(ctx.principal, 'admin');
      const [row] = await ctx.deps.db.select().from(workspaces).where(eq(workspaces.id, p.workspaceId));
      return row!;
    },
  }),
);
