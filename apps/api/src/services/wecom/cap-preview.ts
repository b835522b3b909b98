import type { WecomChannel } from '@qunfa/channels';
import { pluginLogger, QunfaError, scopePluginState } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { resolveAudience } from '../../audience/resolve-audience.js';
import { authorize, type Principal } from '../../auth/roles.js';
import { rows } from '../../db/database.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';

/** Before a start: how many of a campaign's WeCom customers the platform's per-customer cap would drop. */
export interface WecomCapPreview {
  channel: string;
  /** The cap's period now (`m2025-03`, `w2025-03-10`, `d2025-03-10`, China time). */
  period: string;
  /** Customer mass messages a customer may receive in the period (the channel's `customerCap`). */
  limit: number;
  /** Sendable contacts of the audience with a WeCom external_userid. */
  customers: number;
  /** Of those, already at the limit from earlier campaigns of this corp: WeCom would answer 3 (filtered). */
  atCap: number;
}

const isWecom = (c: unknown): c is WecomChannel =>
  typeof (c as Partial<WecomChannel> | null)?.capPreview === 'function';

/**
 * The campaign's sendable audience (suppressions and dormancy as the start applies them), its
 * WeCom customers (`wecom_external_userid`), and how many of them the channel's cap tracking —
 * the messages each customer received from this corp's earlier campaigns this period — says are
 * at the limit already.
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
  const counts = await resolveAudience(deps.db, p.workspaceId, campaign.audience, {
    asOf: deps.clock.now(),
    excludeDormant: campaign.excludeDormant,
    sampleSize: Number.MAX_SAFE_INTEGER,
  });
  const contactIds = counts.sampleIds;
  const externals = await rows<{ value: string }>(
    deps.db,
    sql`SELECT DISTINCT ON (contact_id) value FROM contact_identities
        WHERE workspace_id = ${p.workspaceId}::bigint AND kind = 'wecom_external_userid'
          AND contact_id = ANY(${`{${contactIds.join(',')}}`}::bigint[])
        ORDER BY contact_id, id`,
  );
  const preview = await channel.capPreview(
    externals.map((e) => e.value),
    {
      signal: deps.shutdown,
      now: () => deps.clock.now(),
      state: scopePluginState(deps.pluginState, channel.name),
      logger: pluginLogger(deps.logger, channel.name),
    },
  );
  return { channel: channel.name, ...preview };
}
