import type { QuietHoursSetting } from '../domain/quiet-hours.js';

/** What the recipient rules ask about one batch; the API answers with one query. */
export interface RecipientFactsQuery {
  workspaceId: string;
  /** The campaign being sent: its own deliveries never count as earlier messages. */
  campaignId: string;
  contactIds: string[];
  /** Count messages sent to each contact since this instant, on every channel and campaign. */
  sentSince: Date;
}

/** The facts of one contact that recipient rules judge at send time. */
export interface RecipientFact {
  contactId: string;
  /** The contact's IANA time zone, else the workspace's. */
  timeZone: string;
  /** Suppressions recorded on the contact now: unsubscribed, blacklisted, complained, erased; `opted_out` when it opted out of this campaign. */
  suppressions: string[];
  /**
   * Messages of other campaigns sent to the contact since `sentSince`: one per campaign, even an
   * all-channels one that reached them on several channels.
   */
  sentSince: number;
  /**
   * `group` for a customer group (WeCom 客户群): a target of its own, to which caps meant for
   * persons (`rule:frequency-cap`) do not apply. Absent: a person.
   */
  kind?: 'person' | 'group';
  /** The quiet hours its workspace set (the same for every contact); null or absent: the rule's default. */
  quietHours?: QuietHoursSetting | null;
}

/**
 * A read port for recipient rules: set-based, one call per batch. Rules stay pure; the app
 * implements it over its database (one SQL query), tests with a map.
 */
export interface RecipientFacts {
  recipientFacts(query: RecipientFactsQuery): Promise<Map<string, RecipientFact>>;
}

/** A read port for campaign rules: how often a workspace mass-sent on a channel. */
export interface CampaignFacts {
  /** Campaigns of the workspace that started on `channel` since `since`, `excludeCampaignId` left out. */
  massSendsSince(query: {
    workspaceId: string;
    channel: string;
    since: Date;
    excludeCampaignId: string;
  }): Promise<number>;
}
