import type { AbTest, AbTestState } from '../ab/ab-test.js';
import type { AudienceExpression } from './audience.js';
import type { Content } from './content.js';
import type { FailureClass } from './failure.js';
import type { QuietHoursSetting } from './quiet-hours.js';

export const campaignStates = [
  'draft',
  'in_review',
  'approved',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignState = (typeof campaignStates)[number];

export interface Variant {
  id: string;
  /** A, B, C: how operators name it. */
  key: string;
  /** Relative share of the audience; weights need not sum to 100. */
  weight: number;
  content: Content;
  /**
   * Content for particular steps of the channel plan, by the step's channel name (its failover
   * providers send the same): an SMS step needs its approved template while WeCom and e-mail
   * send text. A step not listed sends `content`. Default none.
   */
  channelContent?: Record<string, Content>;
}

/** One step of the channel plan: recipients get the first step that can address them. */
export interface ChannelPlanStep {
  /** A loaded channel's name (`channel:sandbox`). */
  channel: string;
  /** Recipients per batch; never above the channel's `maxRecipientsPerSend`. Default: that limit. */
  batchSize?: number;
  /**
   * Other providers of the same channel kind, in order (Aliyun SMS → Tencent Cloud SMS): an
   * outage or timeout (`network`) moves the recipient to the next one at once. Business-limit
   * failures never fail over.
   */
  failover?: string[];
  /**
   * Rewrite the links of text content to tracked ones (`<PUBLIC_URL>/l/<token>`) that record a
   * click and redirect. Default true; needs a link tracker in the engine.
   */
  trackLinks?: boolean;
  /**
   * Channel escalation after a delay: a recipient whose message on this step is not delivered
   * (or not read) within `ms` of its send gets the campaign through the next step of the plan
   * that can address it. Default none. The campaign stays running while such windows are open.
   */
  escalateAfter?: { ms: number; unless: 'delivered' | 'read' };
  /**
   * Send the step as one platform job to the provider's own audience `target` (an Official
   * Account's tag id) instead of address lists: one batch for all its recipients, one content,
   * each recipient reported "sent by job" (the provider counts the job, not each person). The
   * provider reaches everyone in its target, so the job goes out only when Qunfa leaves none of
   * the campaign's audience out. Needs a channel with `limits.platformJobs`. Default none.
   */
  platformJob?: { target: string };
  /**
   * For a channel whose messages wait for a person to confirm them (`limits.confirmation`: WeCom
   * customer mass send): what this campaign's sender has not confirmed this long after the send is
   * withdrawn by the channel and moves to the next step (failed `unconfirmed`). Default the
   * channel's `limits.confirmation.deadlineMs`, else `escalateAfter.ms`. An `escalateAfter`
   * shorter than it is refused at start (ESCALATION_BEFORE_CONFIRMATION_DEADLINE).
   */
  confirmationDeadlineMs?: number;
}

/**
 * How a campaign uses its channel plan. `first`: each recipient gets one message, over the first
 * step that can address them, later steps only by escalation. `all` (critical notices): every step
 * that can address a recipient sends, each its own delivery counted on its own, and nothing
 * escalates (a failure on one channel stays that channel's; the person was sent the others).
 */
export const channelModes = ['first', 'all'] as const;
export type ChannelMode = (typeof channelModes)[number];

/** The plan step a channel serves, as its primary or as one of its failover providers. */
export function planStepOf(
  channelPlan: readonly ChannelPlanStep[],
  channel: string,
): ChannelPlanStep | undefined {
  return channelPlan.find((s) => s.channel === channel || s.failover?.includes(channel));
}

/**
 * The position in the plan of the step a batch on `channel` sends for (0 first): what lets a
 * queue hand out an escalation before an earlier step's backlog. 0 in an all-channels campaign,
 * whose steps all send at once, and for a channel no step serves.
 */
export function planStepIndexOf(
  campaign: Pick<Campaign, 'channelPlan' | 'channelMode'>,
  channel: string,
): number {
  const step = campaign.channelMode === 'all' ? undefined : planStepOf(campaign.channelPlan, channel);
  return step ? campaign.channelPlan.indexOf(step) : 0;
}

/** What a variant sends on a channel: the content of that channel's plan step, else its own. */
export function contentFor(
  variant: Pick<Variant, 'content' | 'channelContent'>,
  channelPlan: readonly ChannelPlanStep[],
  channel: string,
): Content {
  const step = planStepOf(channelPlan, channel);
  return (step && variant.channelContent?.[step.channel]) || variant.content;
}

/** Whether a plan can move a recipient to a later step: it has one, or an escalation window. */
export function planEscalates(campaign: Pick<Campaign, 'channelPlan' | 'channelMode'>): boolean {
  const plan = campaign.channelPlan;
  return campaign.channelMode !== 'all' && (plan.length > 1 || plan.some((s) => s.escalateAfter));
}

/**
 * What an `all` plan cannot hold, as a field path and a message; undefined when the campaign's
 * plan is fine for its mode. Each recipient has at most one delivery per channel of a campaign:
 * a provider in two steps would meet itself after a failover. Escalation has no later step to
 * go to, and an A/B split of people sent several messages each has no single winner to measure.
 */
export function channelModeProblem(
  campaign: Pick<Campaign, 'channelPlan' | 'channelMode' | 'abTest'>,
): { field: string; message: string } | undefined {
  if (campaign.channelMode !== 'all') return undefined;
  const seen = new Set<string>();
  for (const [i, step] of campaign.channelPlan.entries()) {
    if (step.escalateAfter) {
      return {
        field: `channelPlan.${i}.escalateAfterMs`,
        message: 'an all-channels plan sends every step at once: it has nothing to escalate to',
      };
    }
    for (const name of [step.channel, ...(step.failover ?? [])]) {
      if (seen.has(name)) {
        return {
          field: `channelPlan.${i}`,
          message: `${name} appears twice in an all-channels plan (a recipient gets one message per channel)`,
        };
      }
      seen.add(name);
    }
  }
  if (campaign.abTest) {
    return {
      field: 'abTest',
      message: 'an all-channels campaign cannot run an A/B test: its recipients get several messages each',
    };
  }
  return undefined;
}

/** What the engine does after a failure; delays in milliseconds. */
export interface RetryPolicy {
  /** Attempts per recipient on one channel, the first included. Default 3. */
  maxAttempts: number;
  /** Delay after a network failure. Default 2 h. */
  networkRetryDelayMs: number;
  /** Delay after rate limiting when the provider gave no retry-after. Default 60 s. */
  rateLimitedDelayMs: number;
  /** Delay after an unknown failure. Default 10 min. */
  unknownRetryDelayMs: number;
  /** Cool-down of an account after `account_restricted`. Default 4 h. */
  accountCooldownMs: number;
  /** Failure classes after which a recipient moves to the next channel of the plan. */
  escalateOn: FailureClass[];
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  networkRetryDelayMs: 2 * 60 * 60 * 1000,
  rateLimitedDelayMs: 60 * 1000,
  unknownRetryDelayMs: 10 * 60 * 1000,
  accountCooldownMs: 4 * 60 * 60 * 1000,
  escalateOn: ['invalid_recipient', 'blocked_by_user', 'account_restricted'],
};

/**
 * A template that never sends itself: its runs do, each a campaign with its own counters.
 * `recurring` runs on a cron schedule in a time zone; `triggered` runs when an API call asks.
 */
export type CampaignSchedule = { kind: 'recurring'; cron: string; timeZone: string } | { kind: 'triggered' };

/** Which template a run belongs to, and the key that makes it unique (fire time or idempotency key). */
export interface RunOf {
  campaignId: string;
  key: string;
  /** A follow-up run (an interested reply): only these contacts of the template's audience. */
  contactIds?: string[];
}

/** A resend run: exactly the source campaign's recipients whose delivery ended in these states. */
export interface ResendOf {
  campaignId: string;
  states: ('failed' | 'uncertain')[];
  /** Failed deliveries only of these classes; absent: every class (resends made before the option). */
  failureClasses?: FailureClass[];
}

export interface Campaign {
  id: string;
  workspaceId: string;
  name: string;
  state: CampaignState;
  audience: AudienceExpression;
  variants: Variant[];
  channelPlan: ChannelPlanStep[];
  /** Whether recipients get the first step that can address them or every one. Default `first`. */
  channelMode: ChannelMode;
  retryPolicy: RetryPolicy;
  /** When to start; null means as soon as started. */
  scheduledAt: Date | null;
  /** Milliseconds between two batches of the campaign; 0 sends as fast as limits allow. */
  batchIntervalMs: number;
  /** Spread the batches evenly over this many ms instead (null: use batchIntervalMs). */
  sendWindowMs: number | null;
  /** Leaves out contacts inactive for 30 days (`dormant`, counted as suppressed). */
  excludeDormant: boolean;
  /** Quiet hours of this campaign; null: the workspace's. */
  quietHours: QuietHoursSetting | null;
  /**
   * The saved segment the audience comes from: the campaign follows the segment's edits until
   * it starts (or is scheduled), then keeps the audience it started with.
   */
  segmentId: string | null;
  /** Set on a resend run; null for an ordinary campaign. */
  resendOf: ResendOf | null;
  /** Set on a template; null for a campaign that sends. */
  schedule: CampaignSchedule | null;
  /** A template's next recurring run. */
  nextRunAt: Date | null;
  /** Set on a run of a template. */
  runOf: RunOf | null;
  /** An A/B test: a test phase on a sample, then the winner to the rest. Null: variants split the whole audience. */
  abTest: AbTest | null;
  /** Where the A/B test stands once the campaign started; null before, and without a test. */
  abState: AbTestState | null;
  /**
   * Whether e-mail to its recipients carries an open pixel: set when the campaign first starts,
   * from its workspace's setting (off by default), and kept for the campaign's life so that its
   * open rate counts one way throughout. Absent: off.
   */
  openPixel?: boolean;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Who did something: an API key's user, a worker, or the system. */
export interface Actor {
  kind: 'user' | 'api_key' | 'worker' | 'system';
  id: string;
}
