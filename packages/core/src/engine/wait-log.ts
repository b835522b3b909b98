import type { Logger } from '../ports/logger.js';

export interface WaitNote {
  workspaceId: string;
  campaignId: string;
  /** A rule's deferral reason, or the reason a batch was given back. */
  reason: string;
  until: Date;
  /** Recipients (or a batch's size) that wait. */
  count: number;
  channel: string;
  /** The rule that deferred them, when a rule did. */
  rule?: string;
}

export interface WaitLog {
  note(entry: WaitNote): void;
}

/**
 * Says at info level when a campaign starts waiting — once per campaign, reason and time in this
 * process, so a night of quiet hours over 10,000 batches is one line, not 10,000; the rest at debug.
 */
export function createWaitLog(logger: Logger, remember = 1000): WaitLog {
  const seen = new Set<string>();
  return {
    note(entry) {
      const key = `${entry.campaignId}\u0000${entry.reason}\u0000${entry.until.getTime()}`;
      const first = !seen.has(key);
      if (first) {
        seen.add(key);
        if (seen.size > remember) seen.delete(seen.values().next().value as string);
      }
      (first ? logger.info : logger.debug)('campaign waiting', {
        campaignId: entry.campaignId,
        workspaceId: entry.workspaceId,
        reason: entry.reason,
        until: entry.until.toISOString(),
        count: entry.count,
        plugin: entry.rule ?? entry.channel,
      });
    },
  };
}
