import type { RetryPolicy } from '../domain/campaign.js';
import type { FailureClass } from '../domain/failure.js';
import { permanentFailureClasses } from '../domain/failure.js';

export interface RetryInput {
  failure: FailureClass;
  /** For `rate_limited`: the wait the provider asked for. */
  retryAfterMs?: number;
  /** Provider calls made for the delivery on this channel, the failed one included. */
  attempts: number;
  policy: RetryPolicy;
  /** The channel that failed. */
  channel: string;
  /** The steps a recipient may escalate through, channel names in plan order (none in an all-channels campaign). */
  channelPlan: readonly string[];
  /** The providers of the failed channel's plan step, its own channel first (failover order). */
  providers?: readonly string[];
  /** Whether a channel has an address for the recipient. */
  canAddress(channel: string): boolean;
  now: Date;
}

export type RetryDecision =
  | { action: 'retry'; channel: string; at: Date }
  | { action: 'escalate'; channel: string; at: Date }
  | { action: 'failover'; channel: string; at: Date }
  | { action: 'fail' };

function transientDelayMs(input: RetryInput): number {
  const { policy } = input;
  switch (input.failure) {
    case 'rate_limited':
      return input.retryAfterMs ?? policy.rateLimitedDelayMs;
    case 'network':
      return policy.networkRetryDelayMs;
    case 'account_restricted':
      return policy.accountCooldownMs;
    default:
      return policy.unknownRetryDelayMs;
  }
}

/** The next provider of the same step after the failed one that can address the recipient. */
function nextProvider(input: RetryInput): string | undefined {
  const providers = input.providers ?? [input.channel];
  const position = providers.indexOf(input.channel);
  return position < 0 ? undefined : providers.slice(position + 1).find((c) => input.canAddress(c));
}

/** The next channel of the plan after the failed one's step that can address the recipient. */
function nextChannel(input: RetryInput): string | undefined {
  const step = input.providers?.[0] ?? input.channel;
  const position = input.channelPlan.indexOf(step);
  if (position < 0) return undefined;
  return input.channelPlan.slice(position + 1).find((c) => c !== input.channel && input.canAddress(c));
}

/** What follows one failed send of one recipient. A pure function of its input. */
export function decideRetry(input: RetryInput): RetryDecision {
  const next = nextChannel(input);
  const escalate: RetryDecision | undefined = next
    ? { action: 'escalate', channel: next, at: input.now }
    : undefined;
  const escalates = input.policy.escalateOn.includes(input.failure);
  // An outage or timeout of one provider: the next provider of the step, now.
  const failover = input.failure === 'network' ? nextProvider(input) : undefined;
  if (failover) return { action: 'failover', channel: failover, at: input.now };
  if (permanentFailureClasses.has(input.failure)) {
    return (escalates && escalate) || { action: 'fail' };
  }
  if (input.failure === 'account_restricted' && escalates && escalate) return escalate;
  if (input.attempts >= input.policy.maxAttempts) return escalate ?? { action: 'fail' };
  return {
    action: 'retry',
    channel: input.channel,
    at: new Date(input.now.getTime() + Math.max(0, transientDelayMs(input))),
  };
}
