import { describe, expect, it } from 'vitest';
import { bounceEvents, parseBounce } from './bounce.js';
import { dsnFor } from './fake-server.js';

describe('bounces (RFC 3464 delivery status notifications)', () => {
  it('reads the original Message-ID and each recipient, and fails the message with its class', async () => {
    const bounce = await parseBounce(dsnFor('qunfa.42.7@qunfa.test', 'gone@example.com'));
    expect(bounce.originalMessageId).toBe('qunfa.42.7@qunfa.test');
    expect(bounce.recipients).toEqual([
      {
        finalRecipient: 'gone@example.com',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown',
      },
    ]);
    const events = bounceEvents(bounce, new Date(0));
    expect(events).toEqual([
      {
        providerMessageId: 'qunfa.42.7@qunfa.test',
        state: 'failed',
        at: new Date('2026-12-04T08:00:00Z'),
        failure: 'invalid_recipient',
        error: 'bounced 5.1.1: 550 5.1.1 <<recipient>>: Recipient address rejected: User unknown',
      },
    ]);
  });

  it('a mailbox full or a spam refusal keeps its class; a delay or a non-DSN writes nothing', async () => {
    const full = await parseBounce(
      dsnFor('qunfa.1.2@qunfa.test', 'x@example.com', { status: '5.7.1', diagnostic: '554 5.7.1 spam' }),
    );
    expect(bounceEvents(full, new Date(0))[0]?.failure).toBe('content_rejected');
    const delayed = await parseBounce(
      dsnFor('qunfa.1.2@qunfa.test', 'x@example.com', { status: '4.4.1', action: 'delayed' }),
    );
    expect(bounceEvents(delayed, new Date(0))).toEqual([]);
    const plain = await parseBounce('From: a@b.cn\r\nSubject: hi\r\n\r\nhello\r\n');
    expect(bounceEvents(plain, new Date(0))).toEqual([]);
  });
});
