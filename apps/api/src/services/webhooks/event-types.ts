import { campaignStates } from '@qunfa/core';

/** What a partner may subscribe to, and what each event's `data` holds. */
export const webhookEventTypes = {
  'campaign.state_changed': 'A campaign moved between states: campaignId, from, to, reason',
  'campaign.progress_milestone':
    'A campaign passed 25, 50, 75 or 100 % of its planned deliveries settled (sent or better, failed, suppressed, filtered, uncertain): campaignId, milestone, settled, total, counters',
  'approval.requested': 'A campaign was submitted for review: campaignId, round, steps, reasons',
  'approval.step_approved': 'An approver approved a review step: campaignId, round, step, comment',
  'approval.rejected': 'An approver rejected the review round: campaignId, round, step, comment',
  'inbound.message_received':
    'A contact wrote back: messageId, channel, contactId, campaignId, text, unsubscribed',
  'triage.item_created':
    'A reply became a triage item to answer: itemId, messageId, campaignId, label, priority, dueAt',
} as const;

export type WebhookEventType = keyof typeof webhookEventTypes;

export const isWebhookEventType = (type: string): type is WebhookEventType =>
  Object.hasOwn(webhookEventTypes, type);

const states = new Set<string>(campaignStates);

/** The event an audited action reports to partners, if any. */
export function webhookEventOfAudit(
  action: string,
  subjectId: string,
  details: Record<string, unknown>,
): { type: WebhookEventType; data: Record<string, unknown> } | undefined {
  const [subject, verb] = action.split('.', 2) as [string, string | undefined];
  if (subject !== 'campaign' || verb === undefined) return undefined;
  const campaignId = subjectId;
  if (states.has(verb)) {
    return {
      type: 'campaign.state_changed',
      data: { campaignId, from: details.from ?? null, to: verb, reason: details.reason ?? null },
    };
  }
  const approval: Partial<Record<string, WebhookEventType>> = {
    review_requested: 'approval.requested',
    review_step_approved: 'approval.step_approved',
    review_rejected: 'approval.rejected',
  };
  const type = approval[verb];
  return type ? { type, data: { campaignId, ...details } } : undefined;
}
