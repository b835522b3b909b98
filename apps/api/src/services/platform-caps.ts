import type { WechatOaChannel } from '@qunfa/channels';
import { sql } from 'drizzle-orm';
import { authorize, type Principal } from '../auth/roles.js';
import { rows } from '../db/database.js';
import { audienceToSql } from '../store/audience-sql.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { isWecom, wecomCustomerCap } from './wecom/cap-preview.js';

/** A platform's budget on one channel of a campaign, as it stands before the start. */
export interface PlatformCap {
  channel: string;
  /** `per_recipient`: each person at most `limit` in the period; `per_account`: the account at most `limit` mass sends. */
  scope: 'per_recipient' | 'per_account';
  /** The period in China time: a month (`2026-12`), a week from its Monday (`2026-11-30/P7D`) or a day (`2026-12-04`). */
  period: string;
  limit: number;
  /** People of the audience the campaign would reach on this channel. */
  recipients: number;
  /** Of them, those already at `limit` this period: WeChat drops the message for them (`filtered`). */
  atCap: number;
  /** Mass sends the account already made this period (other campaigns); 0 where the platform counts per recipient only (WeCom). */
  used: number;
  /** The platform refuses the send outright (a subscription account's second mass send of a day). */
  blocked: boolean;
  /** What it means, in a sentence an operator reads before starting. */
  note: string;
}

/** Delivery states in which a message reached the platform for the person (it counts against the cap). */
const COUNTED = '{sent,delivered,read,clicked,awaiting_confirmation}';
const CHINA_MS = 8 * 3600_000;

const isOfficialAccount = (plugin: unknown): plugin is WechatOaChannel =>
  typeof (plugin as Partial<WechatOaChannel>)?.followerIds === 'function' &&
  typeof (plugin as Partial<WechatOaChannel>)?.config?.accountType === 'string';

/** Start of the current China-time day or month, as an instant, and its label. */
function periodOf(now: Date, unit: 'day' | 'month'): { start: Date; label: string } {
  const china = new Date(now.getTime() + CHINA_MS);
  const y = china.getUTCFullYear();
  const m = china.getUTCMonth();
  const startChina = unit === 'day' ? Date.UTC(y, m, china.getUTCDate()) : Date.UTC(y, m, 1);
  return {
    start: new Date(startChina - CHINA_MS),
    label: china.toISOString().slice(0, unit === 'day' ? 10 : 7),
  };
}

/**
 * Before a start: the per-recipient caps of the campaign's channels — WeCom's customer cap (see
 * `wecomCustomerCap`) and the Official Account frequencies WeChat enforces on the campaign's channels,
 * counted from Qunfa's own deliveries across campaigns (set-based, any audience size). A service
 * account's follower gets at most 4 mass messages a month — those of the audience who already got
 * 4 are counted, and WeChat will filter them; a subscription account mass-sends once a day — a
 * second is refused. Sends made outside Qunfa (the MP console) are not seen.
 */
export async function platformCaps(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<PlatformCap[]> {
  const p = authorize(principal, 'read');
  const campaign = await requireCampaign(deps.db, p, campaignId);
  const now = deps.clock.now();
  const caps: PlatformCap[] = [];
  for (const step of campaign.channelPlan) {
    const channel = deps.registry.channels.find((c) => c.name === step.channel);
    if (!channel || caps.some((c) => c.channel === channel.name)) continue;
    if (isWecom(channel)) {
      caps.push(await wecomCustomerCap(deps, p.workspaceId, campaign, channel));
      continue;
    }
    if (!isOfficialAccount(channel)) continue;
    const service = channel.config.accountType === 'service';
    const period = periodOf(now, service ? 'month' : 'day');
    const [counts] = await rows<{ recipients: number; at_cap: number; used: number }>(
      deps.db,
      sql`WITH audience AS (
            SELECT c.id FROM contacts c
            WHERE c.workspace_id = ${p.workspaceId}::bigint AND c.merged_into_id IS NULL AND c.erased_at IS NULL
              AND ${audienceToSql(campaign.audience, now)}
              AND EXISTS (SELECT 1 FROM contact_identities ci WHERE ci.contact_id = c.id AND ci.kind = 'oa_openid')
              AND (SELECT coalesce(bool_or(cr.removed_by IS NULL), true) FROM contact_reach cr
                   WHERE cr.contact_id = c.id AND cr.channel = ${channel.name})
          ), received AS (
            SELECT a.id, (SELECT count(DISTINCT d.campaign_id)::int FROM deliveries d
                          WHERE d.contact_id = a.id AND d.channel = ${channel.name}
                            AND d.campaign_id <> ${Number(campaign.id)}::bigint
                            AND d.state = ANY(${COUNTED}::text[])
                            AND d.updated_at >= ${period.start.toISOString()}::timestamptz) AS n
            FROM audience a
          )
          SELECT (SELECT count(*)::int FROM received) AS recipients,
                 (SELECT count(*)::int FROM received WHERE n >= 4) AS at_cap,
                 (SELECT count(DISTINCT d.campaign_id)::int FROM deliveries d
                  WHERE d.workspace_id = ${p.workspaceId}::bigint AND d.channel = ${channel.name}
                    AND d.campaign_id <> ${Number(campaign.id)}::bigint
                    AND d.state = ANY(${COUNTED}::text[])
                    AND d.updated_at >= ${period.start.toISOString()}::timestamptz) AS used`,
    );
    const recipients = counts?.recipients ?? 0;
    const atCap = service ? (counts?.at_cap ?? 0) : 0;
    const used = counts?.used ?? 0;
    caps.push(
      service
        ? {
            channel: channel.name,
            scope: 'per_recipient',
            period: period.label,
            limit: 4,
            recipients,
            atCap,
            used,
            blocked: false,
            note: `${atCap} of ${recipients} followers already got 4 mass messages in ${period.label}: WeChat filters them`,
          }
        : {
            channel: channel.name,
            scope: 'per_account',
            period: period.label,
            limit: 1,
            recipients,
            atCap: 0,
            used,
            blocked: used >= 1,
            note:
              used >= 1
                ? `the subscription account already mass-sent on ${period.label}: WeChat refuses a second until tomorrow`
                : `the subscription account's one mass send of ${period.label} is still free`,
          },
    );
  }
  return caps;
}
