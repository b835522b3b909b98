import type { Campaign, ChannelPlanStep } from '../domain/campaign.js';
import type { Finding } from '../domain/finding.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { Registry } from '../registry/registry.js';

/**
 * The deadline after which a step's unconfirmed messages are withdrawn, for a channel that holds
 * them for confirmation: the step's own, else the channel's default, else the step's escalation
 * window (escalating after it is what the operator asked for). Undefined: none, or not such a channel.
 */
export function confirmationDeadlineOf(step: ChannelPlanStep, channel: ChannelPlugin): number | undefined {
  if (!channel.limits.confirmation) return undefined;
  return step.confirmationDeadlineMs ?? channel.limits.confirmation.deadlineMs ?? step.escalateAfter?.ms;
}

const inMinutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
const minutes = (ms: number) => `${inMinutes(ms)} min`;

/**
 * Before a start: a step whose channel holds messages for a person's confirmation (WeCom customer
 * mass send) and that escalates after a delay must not escalate before its confirmation deadline.
 * Its recipients move on only once the channel has withdrawn their unconfirmed messages (a window
 * never moves them: they could still be confirmed and sent), so a shorter window promises an
 * escalation that cannot come before the deadline. Findings block the start and name the channel.
 */
export function checkConfirmationDeadlines(campaign: Campaign, registry: Registry): Finding[] {
  const findings: Finding[] = [];
  for (const step of campaign.channelPlan) {
    if (!step.escalateAfter) continue;
    for (const name of [step.channel, ...(step.failover ?? [])]) {
      const plugin = registry.get(name);
      if (plugin?.kind !== 'channel') continue;
      const deadline = confirmationDeadlineOf(step, plugin);
      const after = step.escalateAfter.ms;
      if (deadline !== undefined && after < deadline) {
        findings.push({
          rule: 'engine:channel-plan',
          level: 'block',
          code: 'ESCALATION_BEFORE_CONFIRMATION_DEADLINE',
          channel: name,
          params: { escalateAfterMinutes: inMinutes(after), deadlineMinutes: inMinutes(deadline) },
          message: `${name} escalates after ${minutes(after)}, before its confirmation deadline of ${minutes(deadline)}: a sender could still confirm after the recipient moved on, and they would get both messages. Set escalateAfterMs to at least confirmationDeadlineMs`,
        });
      }
    }
  }
  return findings;
}
