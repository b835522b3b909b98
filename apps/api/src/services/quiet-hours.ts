import { formatQuietHours, isClockTime, parseQuietHours, type QuietHoursSetting } from '@qunfa/core';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { workspaces } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { actorOf } from './review-state.js';
import { validate } from './validate.js';

/** What the server uses when a workspace sets none (QUIET_HOURS). */
export const defaultQuietHours: QuietHoursSetting = { start: '22:00', end: '08:00' };

export const quietHoursModes = ['inherit', 'off', 'window'] as const;

/** How quiet hours are set somewhere, and what applies there after inheritance. */
export interface QuietHoursView {
  mode: (typeof quietHoursModes)[number];
  enabled: boolean;
  start: string | null;
  end: string | null;
}

const clock = z.string().refine(isClockTime, 'HH:MM, 00:00–23:59');

/** `{ mode, start, end }` → the stored text (`off`, `HH:MM-HH:MM`) or null (inherit). */
export const quietHoursInput = z
  .object({ mode: z.enum(quietHoursModes), start: clock.nullish(), end: clock.nullish() })
  .superRefine((q, ctx) => {
    if (q.mode !== 'window') return;
    for (const field of ['start', 'end'] as const) {
      if (!q[field]) ctx.addIssue({ code: 'custom', message: 'required for a WINDOW', path: [field] });
    }
    if (q.start && q.start === q.end) {
      ctx.addIssue({ code: 'custom', message: 'the period must not be empty', path: ['end'] });
    }
  })
  .transform((q): string | null =>
    q.mode === 'inherit'
      ? null
      : formatQuietHours(q.mode === 'off' ? 'off' : { start: q.start!, end: q.end! }),
  );

/** The view of a stored setting, falling back to `inherited` when it has none. */
export function quietHoursView(stored: string | null, inherited: QuietHoursSetting): QuietHoursView {
  const own = stored === null ? undefined : parseQuietHours(stored);
  const effective = own ?? inherited;
  return {
    mode: own === undefined ? 'inherit' : own === 'off' ? 'off' : 'window',
    enabled: effective !== 'off',
    start: effective === 'off' ? null : effective.start,
    end: effective === 'off' ? null : effective.end,
  };
}

/** The quiet hours that apply in a workspace: its own, else the server's. */
export async function workspaceQuietHours(db: Db, serverDefault: QuietHoursSetting, workspaceId: number) {
  const [row] = await db
    .select({ quietHours: workspaces.quietHours })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return quietHoursView(row?.quietHours ?? null, serverDefault);
}

/**
 * An admin sets the workspace's quiet hours (or lets it inherit the server's). Deliveries already
 * deferred by quiet hours are judged again at once under the new setting: what may go now goes,
 * what must still wait is deferred to the new end.
 */
export async function setWorkspaceQuietHours(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<QuietHoursView> {
  const p = authorize(principal, 'admin');
  const stored = validate(quietHoursInput, input);
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.update(workspaces).set({ quietHours: stored }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'workspace.quiet_hours',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { quietHours: stored ?? 'inherit' },
    });
  });
  await deps.engine.reconsiderDeferrals({ workspaceId: String(p.workspaceId), reason: 'quiet_hours' });
  return quietHoursView(stored, deps.quietHours ?? defaultQuietHours);
}

/**
 * At start: when QUIET_HOURS differs from what the last start ran with (say, it is now `off`),
 * every delivery deferred by quiet hours is judged again under it — released when the new setting
 * lets it go, deferred to the new end otherwise. Workspaces with their own setting judge the same.
 */
export async function applyServerQuietHours(deps: ServiceDeps): Promise<number> {
  const current = formatQuietHours(deps.quietHours ?? defaultQuietHours);
  const [previous] = await rows<{ value: string }>(
    deps.db,
    sql`SELECT value FROM server_settings WHERE name = 'quiet_hours'`,
  );
  if (previous?.value === current) return 0;
  await deps.db.execute(sql`INSERT INTO server_settings (name, value, updated_at)
    VALUES ('quiet_hours', ${current}, ${deps.clock.now().toISOString()}::timestamptz)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  return deps.engine.reconsiderDeferrals({ reason: 'quiet_hours' });
}
