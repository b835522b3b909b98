import { type CampaignState, campaignStates, QunfaError } from '@qunfa/core';
import { and, desc, eq, gte, ilike, inArray, isNotNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { apiKeys, campaigns, users } from '../db/schema/index.js';
import { withVariants } from '../store/campaign-mapper.js';
import type { ServiceDeps } from './deps.js';
import { decodeCursor, keysetPage, parseId, validate } from './validate.js';

/*
 * The campaign list an operator filters: by state, channel, creation time, creator and a
 * name search, newest first, paged by id. Every filter runs in SQL, so a page holds only
 * matches however many campaigns the workspace has.
 */

export interface CampaignFilter {
  states?: CampaignState[] | null;
  /** Campaigns whose channel plan uses one of these (a step or its failover). */
  channels?: string[] | null;
  /** Created at or after. */
  createdFrom?: Date | null;
  /** Created before. */
  createdBefore?: Date | null;
  /** Created by one of these keys (runs count as their template's creator's). */
  creatorKeyIds?: string[] | null;
  /** Created by any key of one of these members. */
  creatorMemberIds?: string[] | null;
  /** Part of the name, case-insensitive. */
  search?: string | null;
}

const ids = z.array(z.string().regex(/^\d{1,15}$/, 'an id')).max(100);
const filterSchema = z
  .object({
    states: z.array(z.enum(campaignStates)).max(campaignStates.length).nullish(),
    channels: z.array(z.string().trim().min(1).max(100)).max(50).nullish(),
    createdFrom: z.date().nullish(),
    createdBefore: z.date().nullish(),
    creatorKeyIds: ids.nullish(),
    creatorMemberIds: ids.nullish(),
    search: z.string().trim().max(200, 'at most 200 characters').nullish(),
  })
  .refine((f) => !f.createdFrom || !f.createdBefore || f.createdFrom < f.createdBefore, {
    message: 'must be after createdFrom',
    path: ['createdBefore'],
  });

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function conditions(workspaceId: number, f: z.output<typeof filterSchema>): (SQL | undefined)[] {
  const creators: SQL[] = [];
  if (f.creatorKeyIds) creators.push(inArray(campaigns.createdByKeyId, f.creatorKeyIds.map(Number)));
  if (f.creatorMemberIds) {
    creators.push(
      inArray(
        campaigns.createdByKeyId,
        sql`(SELECT ${apiKeys.id} FROM ${apiKeys} WHERE ${apiKeys.workspaceId} = ${workspaceId}
             AND ${inArray(apiKeys.userId, f.creatorMemberIds.map(Number))})`,
      ),
    );
  }
  return [
    eq(campaigns.workspaceId, workspaceId),
    f.states ? inArray(campaigns.state, f.states) : undefined,
    f.channels
      ? or(
          ...f.channels.flatMap((channel) => [
            sql`${campaigns.channelPlan} @> ${JSON.stringify([{ channel }])}::jsonb`,
            sql`${campaigns.channelPlan} @> ${JSON.stringify([{ failover: [channel] }])}::jsonb`,
          ]),
        )
      : undefined,
    f.createdFrom ? gte(campaigns.createdAt, f.createdFrom) : undefined,
    f.createdBefore ? lt(campaigns.createdAt, f.createdBefore) : undefined,
    creators.length > 0 ? or(...creators) : undefined,
    f.search ? ilike(campaigns.name, `%${likeEscape(f.search)}%`) : undefined,
  ];
}

export async function listCampaigns(
  deps: ServiceDeps,
  principal: Principal | null,
  args: { first: number; after?: string | null; filter?: CampaignFilter | null },
) {
  const p = authorize(principal, 'read');
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > 200) {
    throw new QunfaError('INVALID_INPUT', 'first: between 1 and 200', { details: { field: 'first' } });
  }
  const filter = validate(filterSchema, args.filter ?? {});
  const before = decodeCursor(args.after);
  const found = await deps.db
    .select()
    .from(campaigns)
    .where(
      and(...conditions(p.workspaceId, filter), before !== undefined ? lt(campaigns.id, before) : undefined),
    )
    .orderBy(desc(campaigns.id))
    .limit(args.first + 1);
  const nodes = await withVariants(deps.db, found.slice(0, args.first));
  return keysetPage(found.length, args.first, nodes);
}

/** Who made a campaign: the key, and the member it was issued to (null for a service key). */
export interface CampaignCreator {
  keyId: string;
  keyName: string;
  memberId: string | null;
  memberName: string | null;
}

const creatorColumns = {
  keyId: sql<string>`${apiKeys.id}::text`,
  keyName: apiKeys.name,
  memberId: sql<string | null>`${users.id}::text`,
  memberName: users.name,
};

export async function campaignCreator(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<CampaignCreator | null> {
  const p = authorize(principal, 'read');
  const id = parseId(campaignId);
  if (id === undefined) return null;
  const [row] = await deps.db
    .select(creatorColumns)
    .from(campaigns)
    .innerJoin(apiKeys, eq(apiKeys.id, campaigns.createdByKeyId))
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(campaigns.id, id), eq(campaigns.workspaceId, p.workspaceId)));
  return row ?? null;
}

/** Every key that created a campaign of the workspace, with its member: the creator filter's choices. */
export async function listCampaignCreators(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<CampaignCreator[]> {
  const p = authorize(principal, 'read');
  return deps.db
    .select(creatorColumns)
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.workspaceId, p.workspaceId),
        inArray(
          apiKeys.id,
          sql`(SELECT DISTINCT ${campaigns.createdByKeyId} FROM ${campaigns}
               WHERE ${campaigns.workspaceId} = ${p.workspaceId} AND ${isNotNull(campaigns.createdByKeyId)})`,
        ),
      ),
    )
    .orderBy(apiKeys.id);
}
