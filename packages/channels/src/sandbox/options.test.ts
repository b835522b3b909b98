import { contentTypes, failureClasses, identityKinds, isQunfaError, type QunfaError } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { sandbox } from './channel.js';
import { demoFailureRates, type SandboxOptions } from './options.js';

function invalid(options: unknown): QunfaError {
  try {
    sandbox(options as SandboxOptions);
  } catch (error) {
    if (isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')) return error;
    throw error;
  }
  throw new Error('expected PLUGIN_OPTIONS_INVALID');
}

describe('sandbox options', () => {
  it('has the documented defaults', () => {
    const channel = sandbox();
    expect(channel.kind).toBe('channel');
    expect(channel.name).toBe('channel:sandbox');
    expect(channel.limits).toEqual({
      maxRecipientsPerSend: 200,
      maxSendsPerDay: undefined,
      ratePerSecond: undefined,
      contentTypes: [...contentTypes],
      maxTextLength: undefined,
      receipts: false,
      recall: false,
      idempotencyKeys: true,
    });
    expect(channel.identityKinds).toEqual([...identityKinds]);
    expect(channel.accounts).toEqual([]);
    expect(channel.callback).toBeUndefined();
    expect(channel.queryStatus).toBeTypeOf('function');
  });

  it('takes a name that starts with channel:', () => {
    expect(sandbox({ name: 'channel:sandbox-sms' }).name).toBe('channel:sandbox-sms');
    const error = invalid({ name: 'sandbox-sms' });
    expect(error.plugin).toBe('channel:sandbox');
    expect(error.details.field).toBe('name');
  });

  it.each([
    [{ latencyMs: { min: -1, max: 10 } }, 'latencyMs.min'],
    [{ latencyMs: { min: 50, max: 10 } }, 'latencyMs.max'],
    [{ maxRecipientsPerSend: 0 }, 'maxRecipientsPerSend'],
    [{ maxRecipientsPerSend: 1.5 }, 'maxRecipientsPerSend'],
    [{ ratePerSecond: 0 }, 'ratePerSecond'],
    [{ maxSendsPerDay: -5 }, 'maxSendsPerDay'],
    [{ accounts: ['a', 'a'] }, 'accounts'],
    [{ identityKinds: [] }, 'identityKinds'],
    [{ identityKinds: ['qq'] }, 'identityKinds.0'],
    [{ failureRates: { network: 1.2 } }, 'failureRates.network'],
    [{ failureRates: { timeout: 0.1 } }, 'failureRates.timeout'],
    [{ failureRates: { network: 0.6, unknown: 0.6 } }, 'failureRates'],
    [{ seed: -1 }, 'seed'],
    [{ contentTypes: ['fax'] }, 'contentTypes.0'],
    [{ maxTextLength: 0 }, 'maxTextLength'],
    [{ preset: 'prod' }, 'preset'],
    [{ retain: 0 }, 'retain'],
  ])('rejects %j naming %s', (options, field) => {
    const error = invalid(options);
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`[channel:sandbox] option "${field}"`);
  });

  it('rejects unknown options, so a typo does not pass silently', () => {
    expect(invalid({ latency: 5 }).message).toContain('latency');
  });

  it('names the plugin by its name option in errors', () => {
    expect(invalid({ name: 'channel:sandbox-email', seed: 'x' }).plugin).toBe('channel:sandbox-email');
  });

  it('demo preset: ~3 % failures across every class, retries redraw, overrides win', () => {
    const total = failureClasses.reduce((sum, c) => sum + demoFailureRates[c], 0);
    expect(total).toBeCloseTo(0.03, 10);
    // `unconfirmed` is reported after a send held for confirmation, which the sandbox never holds.
    for (const c of failureClasses.filter((c) => c !== 'unconfirmed'))
      expect(demoFailureRates[c]).toBeGreaterThan(0);
    expect(demoFailureRates.unconfirmed).toBe(0);
    expect(sandbox.demo().name).toBe('channel:sandbox');
    expect(sandbox({ preset: 'demo', failureRates: { network: 0.5 } }).name).toBe('channel:sandbox');
  });
});
