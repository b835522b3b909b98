import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy } from '../domain/campaign.js';
import type { FailureClass } from '../domain/failure.js';
import { decideRetry, type RetryDecision, type RetryInput } from './retry-decision.js';

const now = new Date('2026-03-01T00:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const H = 3_600_000;

function input(failure: FailureClass, overrides: Partial<RetryInput> = {}): RetryInput {
  return {
    failure,
    attempts: 1,
    policy: defaultRetryPolicy,
    channel: 'channel:wecom',
    channelPlan: ['channel:wecom', 'channel:sms', 'channel:email'],
    canAddress: () => true,
    now,
    ...overrides,
  };
}

const retry = (at: Date): RetryDecision => ({ action: 'retry', channel: 'channel:wecom', at });
const escalate = (channel = 'channel:sms'): RetryDecision => ({ action: 'escalate', channel, at: now });
const fail: RetryDecision = { action: 'fail' };

describe('decideRetry', () => {
  const table: [string, RetryInput, RetryDecision][] = [
    ['rate_limited honours retry-after', input('rate_limited', { retryAfterMs: 5000 }), retry(later(5000))],
    ['rate_limited without retry-after waits the policy delay', input('rate_limited'), retry(later(60_000))],
    ['network retries after 2 h', input('network'), retry(later(2 * H))],
    ['unknown retries after the unknown delay', input('unknown'), retry(later(10 * 60_000))],
    [
      'account_restricted cools down when it does not escalate',
      input('account_restricted', { policy: { ...defaultRetryPolicy, escalateOn: [] } }),
      retry(later(4 * H)),
    ],
    ['account_restricted escalates when listed', input('account_restricted'), escalate()],
    [
      'account_restricted cools down when no later channel can address',
      input('account_restricted', { canAddress: () => false }),
      retry(later(4 * H)),
    ],
    ['invalid_recipient escalates', input('invalid_recipient'), escalate()],
    ['blocked_by_user escalates', input('blocked_by_user'), escalate()],
    ['content_rejected is not in escalateOn: fails', input('content_rejected'), fail],
    [
      'a permanent failure skips channels that cannot address',
      input('invalid_recipient', { canAddress: (c) => c === 'channel:email' }),
      escalate('channel:email'),
    ],
    [
      'a permanent failure with nowhere to go fails',
      input('blocked_by_user', { canAddress: () => false }),
      fail,
    ],
    [
      'a permanent failure on the last channel fails',
      input('invalid_recipient', { channel: 'channel:email' }),
      fail,
    ],
    ['exhausted attempts escalate', input('network', { attempts: 3 }), escalate()],
    [
      'exhausted attempts with nowhere to go fail',
      input('network', { attempts: 3, canAddress: () => false }),
      fail,
    ],
    ['exhausted rate limits escalate', input('rate_limited', { attempts: 5, retryAfterMs: 10 }), escalate()],
    [
      'a channel outside the plan cannot escalate',
      input('network', { attempts: 3, channel: 'channel:other' }),
      fail,
    ],
  ];
  for (const [name, given, expected] of table) {
    it(name, () => expect(decideRetry(given)).toEqual(expected));
  }
});

describe('decideRetry: provider failover', () => {
  const base = {
    attempts: 1,
    policy: defaultRetryPolicy,
    channel: 'channel:aliyun-sms',
    channelPlan: ['channel:wecom', 'channel:aliyun-sms', 'channel:email'],
    providers: ['channel:aliyun-sms', 'channel:tencent-sms'],
    canAddress: () => true,
    now: new Date('2026-01-01T00:00:00Z'),
  };

  it('moves an outage or timeout to the next provider of the step at once', () => {
    expect(decideRetry({ ...base, failure: 'network' })).toEqual({
      action: 'failover',
      channel: 'channel:tencent-sms',
      at: base.now,
    });
  });

  it('never fails over on business limits', () => {
    expect(decideRetry({ ...base, failure: 'rate_limited', retryAfterMs: 1000 })).toMatchObject({
      action: 'retry',
      channel: 'channel:aliyun-sms',
    });
    expect(decideRetry({ ...base, failure: 'content_rejected' })).toEqual({ action: 'fail' });
    expect(decideRetry({ ...base, failure: 'invalid_recipient' })).toMatchObject({
      action: 'escalate',
      channel: 'channel:email',
    });
  });

  it('retries on the last provider, and escalates from the step, not from the provider', () => {
    const last = { ...base, channel: 'channel:tencent-sms' };
    expect(decideRetry({ ...last, failure: 'network' })).toMatchObject({
      action: 'retry',
      channel: 'channel:tencent-sms',
    });
    expect(decideRetry({ ...last, failure: 'blocked_by_user' })).toMatchObject({
      action: 'escalate',
      channel: 'channel:email',
    });
  });
});
