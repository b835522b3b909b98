import { capPeriod, type WecomChannel } from '@qunfa/channels';
import { type Campaign, QunfaError } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { resolveAudience } from '../../audience/resolve-audience.js';
import { authorize, type Principal } from '../../auth/roles.js';
import { rows } from '../../db/database.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';
import type { PlatformCap } from '../platform-caps.js';

/** Before a start: how many of a campaign's WeCom customers the platform's per-customer cap would drop. */
export interface WecomCapPreview {
  channel: string;
  /** The cap's period now (`m2025-03`, `w2025-03-10`, `d2025-03-10`, China time). */
  period: string;
  /** Customer mass messages a customer may receive in the period (the channel's `customerCap`). */
  limit: number;
  /** Sendable contacts of the audience with a WeCom external_userid, and customer groups (chat_id): WeCom caps each group as it caps a customer. */
  customers: number;
  /** Of those, already at the limit from earlier campaigns of this corp: WeCom would answer 3 (filtered). */
  atCap: number;
}

export const isWecom = (c: unknown): c is WecomChannel =>
  typeof (c as Partial<WecomChannel> | null)?.capPreview === 'function' &&
  typeof (c as Partial<WecomChannel>).config?.customerCap === 'string';

/** The cap's period key (`m2025-03`, `w2025-03-10`, `d2025-03-10`) as a platform cap's period. */
export function capPeriodLabel(key: string): string {
  const date = key.slice(1);
  return key.startsWith('w') ? `${date}/P7D` : date;
}

/**
 * The campaign's sendable audience (suppressions and dormancy as the start applies them), its
 * WeCom customers (`wecom_external_userid`), and how many of them are at the period's limit
 * already — counted in one SQL statement from what the workspace's earlier campaigns on this
 * channel recorded: each customer's `delivered` results this period (result 1, counted per
 * customer as it comes, so a task its sender sent only partly counts what it sent), and a
 * `filtered` result (3) this period, which says WeCom counts the customer full (other tools'
 * messages included). The WeCom entry of `Campaign.platformCaps`.
 */
export async function wecomCustomerCap(
  deps: ServiceDeps,
  workspaceId: number,
  campaign: Campaign,
  channel: WecomChannel,
): Promise<PlatformCap> {
  const counts = await resolveAudience(deps.db, workspaceId, campaign.audience, {
    asOf: deps.clock.now(),
    excludeDormant: campaign.excludeDormant,
    sampleSize: Number.MAX_SAFE_INTEGER,
  });
  const period = capPeriod(channel.config.customerCap, deps.clock.now());
  const [count] = await rows<{ customers: number; atCap: number }>(
    deps.db,
    sql`WITH audience AS (
          SELECT DISTINCT ON (contact_id) contact_id, value FROM contact_identities
          WHERE workspace_id = ${workspaceId}::bigint AND kind IN ('wecom_external_userid', 'wecom_chat_id')
            AND contact_id = ANY(${`{${counts.sampleIds.join(',')}}`}::bigint[])
          ORDER BY contact_id, id),
        used AS (
          SELECT ci.value,
                 count(*) FILTER (WHERE e.type = 'delivery.delivered')::int AS sent,
                 bool_or(e.type = 'delivery.filtered') AS full
          FROM contact_identities ci
          JOIN deliveries d ON d.contact_id = ci.contact_id AND d.channel = ${channel.name}
                           AND d.provider_message_id LIKE 'cm:%'
          JOIN events e ON e.delivery_id = d.id AND e.type IN ('delivery.delivered', 'delivery.filtered')
                       AND e.at >= ${period.start.toISOString()}::timestamptz
                       AND e.at < ${period.end.toISOString()}::timestamptz
          WHERE ci.workspace_id = ${workspaceId}::bigint AND ci.kind IN ('wecom_external_userid', 'wecom_chat_id')
            AND ci.value IN (SELECT value FROM audience)
          GROUP BY ci.value)
        SELECT count(*)::int AS customers,
               count(*) FILTER (WHERE u.full OR u.sent >= ${period.limit})::int AS "atCap"
        FROM audience a LEFT JOIN used u ON u.value = a.value`,
  );
  const customers = count?.customers ?? 0;
  const atCap = count?.atCap ?? 0;
  const label = capPeriodLabel(period.key);
  return {
    channel: channel.name,
    scope: 'per_recipient',
    period: label,
    limit: period.limit,
    recipients: customers,
    atCap,
    used: 0,
    blocked: false,
    note: `${atCap} of ${customers} customers already got ${period.limit} customer mass messages in ${label}: WeCom filters them (result 3)`,
  };
}

/**
 * The WeCom customer cap alone, in its first shape; `Campaign.platformCaps` shows it with the
 * Official Accounts' caps (CHANNEL_NOT_FOUND when the channel is not a loaded WeCom corp).
 */
export async function wecomCapPreview(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  channelName: string,
): Promise<WecomCapPreview> {
  const p = authorize(principal, 'read');
  const campaign = await requireCampaign(deps.db, p, campaignId);
  const channel = deps.registry.channels.find((c) => c.name === channelName);
  if (!isWecom(channel)) {
    throw new QunfaError('CHANNEL_NOT_FOUND', `${channelName} is not a loaded WeCom channel`, {
      details: { channel: channelName },
    });
  }
  const cap = await wecomCustomerCap(deps, p.workspaceId, campaign, channel);
  return {
    channel: cap.channel,
    period: capPeriod(channel.config.customerCap, deps.clock.now()).key,
    limit: cap.limit,
    customers: cap.recipients,
    atCap: cap.atCap,
  };
}
