import { QunfaError } from '@qunfa/core';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { ServiceDeps } from '../deps.js';
import { metricLevels } from '../metrics/metric-levels.js';
import { requireTags } from '../tags.js';
import { decodeCursor, keysetPage, parseId, validate } from '../validate.js';
import { chinaMonthOf, type GroupHealthReport, groupsHealth } from './group-health.js';
import { type CustomerGroupRow, selectGroups } from './group-rows.js';

export type HealthFilter = 'unhealthy' | 'healthy' | 'unknown';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const listInput = z.strictObject({
  first: z.number().int().min(1).max(500),
  after: z.string().nullish(),
  owners: z
    .array(z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'owners are userids'))
    .min(1)
    .max(500)
    .nullish(),
  tagId: z.string().nullish(),
  nameContains: z.string().trim().min(1).max(100).nullish(),
  health: z.enum(['unhealthy', 'healthy', 'unknown']).nullish(),
  month: z.string().regex(MONTH, 'month is written YYYY-MM').nullish(),
});

/** A group with its health in the month the list was asked for (absent: this month's, read when asked). */
export interface CustomerGroupNode extends CustomerGroupRow {
  health?: GroupHealthReport;
}

/** A group's health this month, for a group read without it (an audience preview's sample). */
export async function healthNow(deps: ServiceDeps, group: CustomerGroupRow): Promise<GroupHealthReport> {
  const levels = await metricLevels(deps.db, Number(group.workspaceId));
  return (await groupsHealth(deps, [group], chinaMonthOf(deps.clock.now()), levels)).get(group.id)!;
}

/** Rows read at a time while a health filter looks for a page of matching groups. */
const SCAN = 200;

/**
 * A workspace's customer groups — never its persons — by id, filtered by owner (a live relation),
 * tag and name, each with its health in `month` (China time; default this month) from the group
 * metrics at the workspace's levels. With a `health` filter the groups are evaluated in slices
 * until a page is full: a group's health lives in the channel's state, not in SQL.
 */
export async function listCustomerGroups(deps: ServiceDeps, principal: Principal | null, args: unknown) {
  const p = authorize(principal, 'read');
  const input = validate(listInput, args);
  const tagId = input.tagId ? (await requireTags(deps, p, [input.tagId]))[0] : undefined;
  const month = input.month ?? chinaMonthOf(deps.clock.now());
  const levels = await metricLevels(deps.db, p.workspaceId);
  const where = {
    ...(input.owners ? { owners: input.owners } : {}),
    ...(tagId !== undefined ? { tagId } : {}),
    ...(input.nameContains ? { nameContains: input.nameContains } : {}),
  };
  let after = decodeCursor(input.after);
  const out: CustomerGroupNode[] = [];
  for (;;) {
    const limit = input.health ? SCAN : input.first + 1;
    const found = await selectGroups(deps.db, p.workspaceId, { ...where, after }, limit);
    const health = await groupsHealth(deps, found, month, levels);
    for (const g of found) {
      const h = health.get(g.id)!;
      if (!input.health || matches(input.health, h)) out.push({ ...g, health: h });
    }
    if (out.length > input.first || found.length < limit) break;
    after = Number(found.at(-1)!.id);
  }
  return keysetPage(out.length, input.first, out.slice(0, input.first));
}

const matches = (f: HealthFilter, h: GroupHealthReport) =>
  f === 'unhealthy' ? h.healthy === false : f === 'healthy' ? h.healthy === true : h.healthy === null;

/** One customer group with its health in `month`; NOT_FOUND for a person's id or another workspace's. */
export async function getCustomerGroup(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  month?: string | null,
): Promise<CustomerGroupNode> {
  const p = authorize(principal, 'read');
  if (month != null && !MONTH.test(month))
    throw new QunfaError('INVALID_INPUT', 'month is written YYYY-MM', { details: { field: 'month' } });
  const n = parseId(id);
  const [group] = n === undefined ? [] : await selectGroups(deps.db, p.workspaceId, { ids: [n] }, 1);
  if (!group)
    throw new QunfaError('NOT_FOUND', `customer group ${id} not found`, { details: { customerGroupId: id } });
  const at = month ?? chinaMonthOf(deps.clock.now());
  const health = await groupsHealth(deps, [group], at, await metricLevels(deps.db, p.workspaceId));
  return { ...group, health: health.get(group.id)! };
}
