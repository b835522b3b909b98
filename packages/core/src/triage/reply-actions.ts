import type { ReplyClass } from '../domain/reply-class.js';

/** What follows a classified reply, besides its inbox item. */
export interface ReplyActions {
  /** Recorded on the contact: it gets no more marketing. */
  suppress?: 'complained' | 'unsubscribed';
  /** Assemble the complaint evidence bundle (seed 001: within 2 h) and audit its hash. */
  evidence: boolean;
  /** Leave the contact out of the attributed campaign's follow-ups (escalations, resends, runs). */
  optOutOfCampaign: boolean;
  /** Fire the workspace's follow-up template for interested contacts, when one is set. */
  followUp: boolean;
}

/** The automatic consequences of each class (seed 000, section 3; DESIGN: complainers are suppressed). */
export function replyActionsFor(label: ReplyClass): ReplyActions {
  switch (label) {
    case 'complaint':
      return { suppress: 'complained', evidence: true, optOutOfCampaign: true, followUp: false };
    case 'unsubscribe':
      return { suppress: 'unsubscribed', evidence: false, optOutOfCampaign: true, followUp: false };
    case 'not_interested':
      return { evidence: false, optOutOfCampaign: true, followUp: false };
    case 'interested':
      return { evidence: false, optOutOfCampaign: false, followUp: true };
    default:
      return { evidence: false, optOutOfCampaign: false, followUp: false };
  }
}
