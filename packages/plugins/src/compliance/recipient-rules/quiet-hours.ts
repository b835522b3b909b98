import { type ComplianceRule, isTimeZone, type QuietHoursSetting, type RecipientVerdict } from '@qunfa/core';
import type { RecipientFactsLoader } from './facts-loader.js';
import { minutesOf, type QuietWindow, quietUntil } from './quiet-window.js';

export interface QuietHoursRuleOptions {
  /** Local start and end (`HH:MM`), or off: the default when neither workspace nor campaign sets one. */
  fallback: QuietHoursSetting;
  /** Time zone when the facts know none for a contact. */
  fallbackTimeZone: string;
}

const windowOf = (setting: QuietHoursSetting): QuietWindow | undefined =>
  setting === 'off' ? undefined : { start: minutesOf(setting.start), end: minutesOf(setting.end) };

/**
 * `rule:quiet-hours`: a recipient in its quiet period is deferred to the period's end in its own
 * time zone. The campaign's setting wins, then its workspace's (from the facts), then the default.
 * A campaign that turns quiet hours off says so in a `warn` finding before its start.
 */
export function quietHoursRule(load: RecipientFactsLoader, opts: QuietHoursRuleOptions): ComplianceRule {
  const name = 'rule:quiet-hours';
  return {
    kind: 'rule',
    name,
    checkCampaign(campaign) {
      if (campaign.quietHours !== 'off') return [];
      return [
        {
          rule: name,
          level: 'warn',
          code: 'QUIET_HOURS_OFF',
          message: 'quiet hours are off for this campaign: it sends at night too',
        },
      ];
    },
    async checkRecipients(batch, ctx) {
      const facts = await load(batch, ctx);
      let setting = ctx.campaign.quietHours;
      if (setting === null) {
        const first = facts.values().next().value;
        setting = first?.quietHours ?? opts.fallback;
      }
      const window = windowOf(setting);
      if (!window) return [];
      const byZone = new Map<string, Date | undefined>();
      return batch.flatMap((c): RecipientVerdict[] => {
        const zone = facts.get(c.contactId)?.timeZone;
        const timeZone = zone && isTimeZone(zone) ? zone : opts.fallbackTimeZone;
        if (!byZone.has(timeZone)) byZone.set(timeZone, quietUntil(ctx.now, timeZone, window));
        const until = byZone.get(timeZone);
        return until ? [{ deliveryId: c.deliveryId, action: 'defer', until, reason: 'quiet_hours' }] : [];
      });
    },
  };
}
