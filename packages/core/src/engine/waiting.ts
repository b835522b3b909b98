import type { Campaign } from '../domain/campaign.js';
import type { Counters } from '../domain/counters.js';
import { type BatchWait, type WaitReason, type WaitReasonCode, waitReasonCodes } from '../domain/waiting.js';

const known: ReadonlySet<string> = new Set(waitReasonCodes);
/** Reasons reported per channel: what an operator does about them depends on the channel's accounts. */
const perChannel: ReadonlySet<WaitReasonCode> = new Set(['account_cooldown', 'quota_reached']);
const ended: ReadonlySet<Campaign['state']> = new Set(['completed', 'cancelled', 'failed']);

function codeOf(reason: string | null): { code: WaitReasonCode; detail: string | null } {
  if (reason === null) return { code: 'pacing', detail: null };
  if (known.has(reason) && reason !== 'rule') return { code: reason as WaitReasonCode, detail: null };
  return { code: 'rule', detail: reason };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/**
 * What a campaign waits for, with counts and until when: its schedule, an A/B decision,
 * staff confirmations, and its queued batches not due yet by the reason they record.
 * Ordered by `until`, those waiting for a person last. Empty once the campaign ended.
 */
export function describeWaiting(campaign: Campaign, counters: Counters, batches: BatchWait[]): WaitReason[] {
  if (ended.has(campaign.state)) return [];
  const out: WaitReason[] = [];
  if (campaign.state === 'scheduled') {
    const at = campaign.schedule ? campaign.nextRunAt : campaign.scheduledAt;
    out.push({ reason: 'schedule', count: null, until: iso(at), lastUntil: iso(at), detail: null });
  }
  const grouped = new Map<string, WaitReason>();
  for (const b of batches) {
    const { code, detail: ruleDetail } = codeOf(b.reason);
    const detail = perChannel.has(code) ? b.channel : ruleDetail;
    const key = `${code}\u0000${detail ?? ''}`;
    const first = b.firstDueAt.toISOString();
    const last = b.lastDueAt.toISOString();
    const entry = grouped.get(key);
    if (!entry) {
      grouped.set(key, { reason: code, count: b.recipients, until: first, lastUntil: last, detail });
      continue;
    }
    entry.count = (entry.count ?? 0) + b.recipients;
    if (first < entry.until!) entry.until = first;
    if (last > entry.lastUntil!) entry.lastUntil = last;
  }
  out.push(...grouped.values());
  if (counters.waiting > 0) {
    const decideAt = campaign.abState?.phase === 'testing' ? iso(campaign.abState.decideAt) : null;
    out.push({
      reason: 'ab_test_decision',
      count: counters.waiting,
      until: decideAt,
      lastUntil: decideAt,
      detail: null,
    });
  }
  if (counters.awaitingConfirmation > 0) {
    out.push({
      reason: 'awaiting_confirmation',
      count: counters.awaitingConfirmation,
      until: null,
      lastUntil: null,
      detail: null,
    });
  }
  return out.sort((a, b) => {
    if (a.until === b.until) return 0;
    if (a.until === null) return 1;
    if (b.until === null) return -1;
    return a.until < b.until ? -1 : 1;
  });
}
