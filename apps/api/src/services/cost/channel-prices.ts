import { type ChannelPrice, priceUnits, QunfaError } from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';
import { validate } from '../validate.js';

const priceInput = z.strictObject({
  channel: z.string().trim().min(1).max(100),
  account: z.string().trim().min(1).max(200).nullish(),
  unit: z.enum(priceUnits),
  amount: z
    .number()
    .finite()
    .min(0)
    .max(1_000_000)
    .refine((n) => Math.round(n * 1e6) / 1e6 === n, 'at most 6 decimals'),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. CNY'),
});

const pricesInput = z.array(priceInput).max(500);

/** The workspace's channel prices, as set (empty: no channel priced). */
export async function channelPrices(db: Db, workspaceId: number): Promise<ChannelPrice[]> {
  const [row] = await db
    .select({ prices: workspaces.channelPrices })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.prices ?? [];
}

/**
 * An admin replaces the workspace's channel prices. One price per channel and account; the
 * channel must be loaded, so a typo is refused instead of leaving a channel silently unpriced.
 */
export async function setChannelPrices(
  deps: ServiceDeps,
  principal: Principal | null,
  input: unknown,
): Promise<ChannelPrice[]> {
  const p = authorize(principal, 'admin');
  const prices: ChannelPrice[] = validate(pricesInput, input).map((price) => ({
    ...price,
    account: price.account ?? null,
  }));
  const seen = new Set<string>();
  for (const [i, price] of prices.entries()) {
    if (!deps.registry.channels.some((c) => c.name === price.channel)) {
      throw new QunfaError('CHANNEL_NOT_FOUND', `channel ${price.channel} is not loaded`, {
        details: { field: `prices.${i}.channel`, channel: price.channel },
      });
    }
    const key = JSON.stringify([price.channel, price.account]);
    if (seen.has(key)) {
      throw new QunfaError(
        'INVALID_INPUT',
        `two prices for ${price.channel} ${price.account ?? '(all accounts)'}`,
        {
          details: { field: `prices.${i}` },
        },
      );
    }
    seen.add(key);
  }
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.update(workspaces).set({ channelPrices: prices }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'workspace.channel_prices',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: { prices },
    });
  });
  return prices;
}
