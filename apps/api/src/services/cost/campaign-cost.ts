import { type ChannelPrice, type Content, costOf, priceFor, roundAmount, segmentsOf } from '@qunfa/core';
import { eq, sql } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { batches, deliveries } from '../../db/schema/index.js';
import { requireCampaign } from '../campaigns.js';
import { effectiveState } from '../deliveries.js';
import type { ServiceDeps } from '../deps.js';
import { archivedSummary } from '../retention/archived-summary.js';
import { channelPrices } from './channel-prices.js';

/** What one channel of a campaign has cost so far. */
export interface ChannelCost {
  channel: string;
  /** Messages the provider accepted (sent, delivered, read or clicked): what it bills. */
  billed: number;
  /** Billed SMS segments (1 a message off SMS), from each variant as written. */
  segments: number;
  delivered: number;
  clicked: number;
  /** Deliveries a partner's conversion is attributed to (each once, however many conversions). */
  converted: number;
  /** Null when the channel has no price (or its accounts are priced in different currencies). */
  amount: number | null;
  currency: string | null;
  /** amount / delivered (delivered, read or clicked); null when nothing was delivered or it is unpriced. */
  perDelivered: number | null;
  perClick: number | null;
  /** amount / converted; null when nothing converted or it is unpriced. */
  perConversion: number | null;
}

export interface CampaignCost {
  channels: ChannelCost[];
  /** Per currency, of the priced channels. */
  total: { currency: string; amount: number }[];
  /** Per currency: the priced channels' amount over their converted deliveries (none when nothing converted). */
  perConversion: { currency: string; amount: number }[];
  /** Channels that carried messages without a price. */
  unpriced: string[];
}

const billedStates = new Set(['sent', 'delivered', 'read', 'clicked']);
const deliveredStates = new Set(['delivered', 'read', 'clicked']);

/**
 * A campaign's actual cost by channel at the workspace's current prices: accepted messages
 * of each sender account at its price, SMS by the segments of the variant each recipient got.
 */
export async function campaignCost(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<CampaignCost> {
  const p = authorize(principal, 'read');
  const campaign = await requireCampaign(deps.db, p, campaignId);
  const prices = await channelPrices(deps.db, p.workspaceId);
  const archived = await archivedSummary(deps.db, campaign.id);
  const groups = archived ? archived.costGroups : await costGroups(deps.db, Number(campaign.id));
  return costOfGroups(deps, prices, campaign.variants, groups);
}

/** A campaign's deliveries by channel, sender account, variant and state: what its cost is computed from. */
export async function costGroups(db: Db, campaignId: number): Promise<CostGroup[]> {
  return db
    .select({
      channel: deliveries.channel,
      account: batches.account,
      variantId: deliveries.variantId,
      state: effectiveState,
      n: sql<number>`count(*)::int`,
      converted: sql<number>`(count(*) FILTER (WHERE EXISTS (SELECT 1 FROM conversions x
        WHERE x.campaign_id = ${campaignId} AND x.delivery_id = ${deliveries.id})))::int`,
    })
    .from(deliveries)
    .leftJoin(batches, eq(batches.id, deliveries.batchId))
    .where(eq(deliveries.campaignId, campaignId))
    .groupBy(deliveries.channel, batches.account, deliveries.variantId, effectiveState);
}

export interface CostGroup {
  channel: string | null;
  account: string | null;
  variantId: number | null;
  state: string;
  n: number;
  /** Of `n`, those a conversion is attributed to (absent in archives made before it was counted). */
  converted?: number;
}

function costOfGroups(
  deps: ServiceDeps,
  prices: readonly ChannelPrice[],
  variants: readonly { id: string; content: Content }[],
  groups: readonly CostGroup[],
): CampaignCost {
  const byChannel = new Map<string, ChannelCost & { currencies: Set<string> }>();
  const unpriced = new Set<string>();
  for (const g of groups) {
    if (g.channel === null || !billedStates.has(g.state)) continue;
    const entry = byChannel.get(g.channel) ?? {
      channel: g.channel,
      billed: 0,
      segments: 0,
      delivered: 0,
      clicked: 0,
      converted: 0,
      amount: null,
      currency: null,
      perDelivered: null,
      perClick: null,
      perConversion: null,
      currencies: new Set<string>(),
    };
    byChannel.set(g.channel, entry);
    const plugin = deps.registry.channels.find((c) => c.name === g.channel);
    const variant = variants.find((v) => v.id === String(g.variantId));
    const segments = plugin && variant ? segmentsOf(variant.content, plugin.limits) : 1;
    entry.billed += g.n;
    entry.segments += g.n * segments;
    if (deliveredStates.has(g.state)) entry.delivered += g.n;
    if (g.state === 'clicked') entry.clicked += g.n;
    entry.converted += g.converted ?? 0;
    const price = priceFor(prices, g.channel, g.account);
    if (!price) {
      unpriced.add(g.channel);
      continue;
    }
    entry.currencies.add(price.currency);
    entry.currency = price.currency;
    entry.amount = roundAmount((entry.amount ?? 0) + costOf(price, g.n, segments));
  }
  const totals = new Map<string, number>();
  const converted = new Map<string, number>();
  const channels: ChannelCost[] = [];
  for (const { currencies, ...entry } of byChannel.values()) {
    if (currencies.size > 1 || unpriced.has(entry.channel)) {
      channels.push({ ...entry, amount: null, currency: null });
      continue;
    }
    if (entry.amount !== null && entry.currency !== null) {
      totals.set(entry.currency, roundAmount((totals.get(entry.currency) ?? 0) + entry.amount));
      converted.set(entry.currency, (converted.get(entry.currency) ?? 0) + entry.converted);
      entry.perDelivered = entry.delivered > 0 ? roundAmount(entry.amount / entry.delivered) : null;
      entry.perClick = entry.clicked > 0 ? roundAmount(entry.amount / entry.clicked) : null;
      entry.perConversion = entry.converted > 0 ? roundAmount(entry.amount / entry.converted) : null;
    }
    channels.push(entry);
  }
  return {
    channels: channels.sort((a, b) => a.channel.localeCompare(b.channel)),
    total: [...totals].map(([currency, amount]) => ({ currency, amount })),
    perConversion: [...totals]
      .filter(([currency]) => (converted.get(currency) ?? 0) > 0)
      .map(([currency, amount]) => ({ currency, amount: roundAmount(amount / converted.get(currency)!) })),
    unpriced: [...unpriced].sort(),
  };
}
