import { isQunfaError, type OutboundBatch, type SendContext, type SendOutcome } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { sandbox } from './channel.js';

const NOW = new Date('2025-03-01T02:00:00Z');
const ctx = (now = NOW, signal = new AbortController().signal): SendContext =>
  testChannelContext({ signal, now: () => now });

function batch(ids: string[], overrides: Partial<OutboundBatch> = {}): OutboundBatch {
  return {
    batchId: 'b-1',
    campaignId: 'c-1',
    account: null,
    idempotencyKey: 'b-1:1',
    messages: ids.map((id) => ({ id, address: `addr-${id}`, content: { type: 'text', text: 'hello' } })),
    ...overrides,
  };
}
const ids = (n: number, prefix = 'd') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const byId = (outcomes: SendOutcome[]) =>
  Object.fromEntries(outcomes.map((o) => [o.id, o.status === 'failed' ? o.failure : 'sent']));
const fast = { latencyMs: { min: 0, max: 0 } };

describe('channel:sandbox send', () => {
  it('accepts everything by default and records it', async () => {
    const channel = sandbox(fast);
    const outcomes = await channel.send(batch(ids(3)), ctx());
    expect(outcomes.map((o) => [o.id, o.status])).toEqual([
      ['d-0', 'sent'],
      ['d-1', 'sent'],
      ['d-2', 'sent'],
    ]);
    expect(channel.provider.accepted().map((m) => [m.messageId, m.address, m.at])).toEqual([
      ['d-0', 'addr-d-0', NOW],
      ['d-1', 'addr-d-1', NOW],
      ['d-2', 'addr-d-2', NOW],
    ]);
    expect(channel.provider.calls()).toEqual([
      { batchId: 'b-1', campaignId: 'c-1', account: null, idempotencyKey: 'b-1:1', recipients: 3, at: NOW },
    ]);
  });

  it('gives the same outcomes for a seed whatever the call order, batching and concurrency', async () => {
    const options = {
      seed: 42,
      latencyMs: { min: 0, max: 5 },
      failureRates: { network: 0.2, blocked_by_user: 0.1 },
    };
    const all = ids(400);
    const inOrder = await sandbox(options).send(batch(all.slice(0, 200)), ctx());
    inOrder.push(...(await sandbox(options).send(batch(all.slice(200)), ctx())));

    const shuffled = [...all].reverse();
    const chunks = Array.from({ length: 8 }, (_, i) => shuffled.slice(i * 50, i * 50 + 50));
    const other = sandbox(options);
    const concurrent = await Promise.all(
      chunks.map((chunk, i) =>
        other.send(batch(chunk, { batchId: `b-${i}`, idempotencyKey: `k-${i}` }), ctx()),
      ),
    );
    expect(byId(concurrent.flat())).toEqual(byId(inOrder));
    expect(Object.values(byId(inOrder)).filter((f) => f !== 'sent').length).toBeGreaterThan(80);
  });

  it('carries retryAfterMs on rate_limited outcomes and an error without personal data', async () => {
    const channel = sandbox({ ...fast, failureRates: { rate_limited: 1 }, retryAfterMs: 2500 });
    const [outcome] = await channel.send(batch(['d-0']), ctx());
    expect(outcome).toEqual({
      id: 'd-0',
      status: 'failed',
      failure: 'rate_limited',
      error: 'sandbox: simulated rate limit, retry later',
      retryAfterMs: 2500,
    });
    expect(channel.provider.accepted()).toEqual([]);
  });

  it('fails ~3 % of 20k recipients with the demo preset', async () => {
    const channel = sandbox.demo(fast);
    const all = ids(20_000);
    let failed = 0;
    for (let i = 0; i < all.length; i += 200) {
      const outcomes = await channel.send(batch(all.slice(i, i + 200), { idempotencyKey: `k-${i}` }), ctx());
      failed += outcomes.filter((o) => o.status === 'failed').length;
    }
    expect(failed / all.length).toBeGreaterThan(0.025);
    expect(failed / all.length).toBeLessThan(0.035);
    expect(channel.provider.accepted()).toHaveLength(all.length - failed);
  });
});

describe('channel:sandbox idempotency', () => {
  it('does not record a repeated key twice and returns the same provider message id', async () => {
    const channel = sandbox(fast);
    const first = await channel.send(batch(ids(2)), ctx());
    const again = await channel.send(batch(ids(2)), ctx());
    expect(again).toEqual(first);
    expect(channel.provider.accepted()).toHaveLength(2);
    expect(channel.provider.receivedCount('d-0')).toBe(1);
  });

  it('delivers again under a new key: the duplicate the kernel must avoid is visible', async () => {
    const channel = sandbox(fast);
    await channel.send(batch(['d-0']), ctx());
    await channel.send(batch(['d-0'], { idempotencyKey: 'b-1:2' }), ctx());
    expect(channel.provider.receivedCount('d-0')).toBe(2);
  });

  it('without idempotency, records a repeated key twice under new provider ids', async () => {
    const channel = sandbox({ ...fast, idempotent: false });
    expect(channel.limits.idempotencyKeys).toBe(false);
    const [first] = await channel.send(batch(['d-0']), ctx());
    const [second] = await channel.send(batch(['d-0']), ctx());
    expect(channel.provider.receivedCount('d-0')).toBe(2);
    expect(first?.status === 'sent' && second?.status === 'sent').toBe(true);
    expect(first).not.toEqual(second);
  });
});

describe('channel:sandbox queryStatus', () => {
  it('reports what it accepted for the batch key, and leaves the rest out', async () => {
    const channel = sandbox({ ...fast, seed: 7, failureRates: { invalid_recipient: 0.5 } });
    const sent = await channel.send(batch(ids(20)), ctx());
    const status = await channel.queryStatus!(batch([...ids(20), 'never-sent']), ctx());
    expect(status).toEqual(sent.filter((o) => o.status === 'sent'));
    expect(status.length).toBeGreaterThan(0);
    expect(await channel.queryStatus!(batch(ids(20), { idempotencyKey: 'other' }), ctx())).toEqual([]);
  });
});

describe('channel:sandbox limits', () => {
  const catchError = async (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e,
    );

  it('throws on a batch over maxRecipientsPerSend, a kernel bug', async () => {
    const channel = sandbox({ ...fast, maxRecipientsPerSend: 3 });
    const error = await catchError(channel.send(batch(ids(4)), ctx()));
    expect(isQunfaError(error, 'INTERNAL')).toBe(true);
    expect(error).toMatchObject({ plugin: 'channel:sandbox', details: { size: 4, limit: 3 } });
    expect(channel.provider.calls()).toEqual([]);
  });

  it('throws on an unknown account and on a repeated message id', async () => {
    const channel = sandbox({ ...fast, accounts: ['acc-1'] });
    expect(
      isQunfaError(await catchError(channel.send(batch(['a'], { account: 'acc-2' }), ctx())), 'INTERNAL'),
    ).toBe(true);
    expect(
      isQunfaError(
        await catchError(channel.send(batch(['a', 'a'], { account: 'acc-1' }), ctx())),
        'INTERNAL',
      ),
    ).toBe(true);
  });

  it('enforces maxSendsPerDay per account until midnight in Beijing', async () => {
    const channel = sandbox({ ...fast, maxSendsPerDay: 3, accounts: ['a', 'b'] });
    const outcomes = await channel.send(batch(ids(5), { account: 'a' }), ctx());
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'sent', 'failed', 'failed']);
    expect(outcomes[3]).toMatchObject({ failure: 'rate_limited', retryAfterMs: 14 * 60 * 60 * 1000 });
    expect(channel.provider.acceptedOn('a', NOW)).toBe(3);
    const other = await channel.send(batch(['x'], { account: 'b', idempotencyKey: 'k2' }), ctx());
    expect(other[0]?.status).toBe('sent');
    const tomorrow = new Date('2025-03-01T16:00:00Z');
    const next = await channel.send(
      batch(ids(5).slice(3), { account: 'a', idempotencyKey: 'k3' }),
      ctx(tomorrow),
    );
    expect(next.map((o) => o.status)).toEqual(['sent', 'sent']);
  });

  it('rejects unsupported content types and over-long text as content_rejected', async () => {
    const channel = sandbox({ ...fast, contentTypes: ['text'], maxTextLength: 4 });
    const outcomes = await channel.send(
      {
        ...batch([]),
        messages: [
          { id: 'ok', address: 'a', content: { type: 'text', text: '群发消息' } },
          { id: 'long', address: 'a', content: { type: 'text', text: '群发消息!' } },
          { id: 'image', address: 'a', content: { type: 'image', text: 'x' } },
        ],
      },
      ctx(),
    );
    expect(byId(outcomes)).toEqual({ ok: 'sent', long: 'content_rejected', image: 'content_rejected' });
  });

  it('keeps only the last `retain` accepted messages', async () => {
    const channel = sandbox({ ...fast, retain: 2 });
    await channel.send(batch(ids(3)), ctx());
    expect(channel.provider.accepted().map((m) => m.messageId)).toEqual(['d-1', 'd-2']);
    expect(channel.provider.receivedCount('d-0')).toBe(0);
    channel.provider.reset();
    expect(channel.provider.accepted()).toEqual([]);
  });
});

describe('channel:sandbox address', () => {
  it('picks the first identity kind in its order of preference', () => {
    const channel = sandbox({ identityKinds: ['phone', 'email'] });
    const email = { kind: 'email', value: 'a@example.com' } as const;
    const phone = { kind: 'phone', value: '+8613800000000' } as const;
    expect(channel.address([email, phone])).toBe('+8613800000000');
    expect(channel.address([email])).toBe('a@example.com');
    expect(channel.address([{ kind: 'wxid', value: 'wx' }])).toBeUndefined();
    expect(sandbox().address([{ kind: 'wxid', value: 'wx' }])).toBe('wx');
  });
});

describe('channel:sandbox abort', () => {
  it('rejects with the signal reason during the latency and records nothing', async () => {
    const channel = sandbox({ latencyMs: { min: 1000, max: 1000 } });
    const controller = new AbortController();
    const pending = channel.send(batch(ids(2)), ctx(NOW, controller.signal));
    const reason = new Error('lease lost');
    setTimeout(() => controller.abort(reason), 5);
    await expect(pending).rejects.toBe(reason);
    expect(channel.provider.calls()).toEqual([]);
    expect(channel.provider.accepted()).toEqual([]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const channel = sandbox(fast);
    const signal = AbortSignal.abort('shutdown');
    await expect(channel.send(batch(ids(1)), ctx(NOW, signal))).rejects.toBe('shutdown');
    await expect(channel.queryStatus!(batch(ids(1)), ctx(NOW, signal))).rejects.toBe('shutdown');
  });

  it('waits a real latency within the configured range', async () => {
    const channel = sandbox({ latencyMs: { min: 30, max: 40 } });
    const started = performance.now();
    await channel.send(batch(ids(1)), ctx());
    expect(performance.now() - started).toBeGreaterThanOrEqual(29);
  });
});
