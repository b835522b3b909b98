import type { Campaign } from '../domain/campaign.js';
import type { SuppressionReason } from '../domain/contact.js';
import type { Content } from '../domain/content.js';
import type { Finding } from '../domain/finding.js';
import type { ChannelLimits } from './channel.js';
import type { PluginCommon } from './common.js';

export interface ContentCheckContext {
  /** Channels the content will go out on, for per-channel limits. */
  channels: string[];
  /** The limits of those channels, by name, for per-channel content rules. */
  channelLimits?: Record<string, ChannelLimits>;
  /** The workspace whose campaign or draft is checked, for workspace lexicons. */
  workspaceId?: string;
}

export interface CampaignCheckContext {
  /** Recipients the audience resolves to (after suppression). */
  audienceSize: number;
  now: Date;
}

export interface RecipientCheck {
  deliveryId: string;
  contactId: string;
  channel: string;
}

export type RecipientVerdict =
  | { deliveryId: string; action: 'allow' }
  | { deliveryId: string; action: 'suppress'; reason: SuppressionReason | string }
  | { deliveryId: string; action: 'defer'; until: Date; reason: string };

export interface ComplianceRule extends PluginCommon {
  kind: 'rule';
  /** `rule:<id>`, stable. */
  name: `rule:${string}`;
  checkContent?(content: Content, ctx: ContentCheckContext): Finding[] | Promise<Finding[]>;
  checkCampaign?(campaign: Campaign, ctx: CampaignCheckContext): Finding[] | Promise<Finding[]>;
  /** Judged set-based for a whole batch at send time; a missing verdict means allow. */
  checkRecipients?(
    batch: RecipientCheck[],
    ctx: { campaign: Campaign; now: Date },
  ): RecipientVerdict[] | Promise<RecipientVerdict[]>;
}
