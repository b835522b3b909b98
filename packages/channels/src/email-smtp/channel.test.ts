import type { OutboundBatch } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailSmtp } from './channel.js';
import { type FakeSmtp, startFakeSmtp } from './fake-server.js';

let smtp: FakeSmtp;
const auth = { user: 'news@qunfa.test', pass: 'smtp-pass' };
beforeAll(async () => {
  smtp = await startFakeSmtp({
    auth,
    refuse: {
      'gone@example.com': '550 5.1.1 <gone@example.com> user unknown',
      'full@example.com': '552 5.2.2 mailbox full',
      'busy@example.com': '452 4.5.3 too many recipients',
    },
  });
});
afterAll(() => smtp.close());

const channels: { close(): void }[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.close();
});
const make = (over: Record<string, unknown> = {}) => {
  const channel = emailSmtp({
    host: smtp.host,
    port: smtp.port,
    auth,
    from: '"群发科技" <news@qunfa.test>',
    replyTo: 'service@qunfa.test',
    returnPath: 'bounces@qunfa.test',
    poolSize: 2,
    socketTimeoutMs: 1500,
    ...over,
  });
  channels.push(channel);
  return channel;
};

let seq = 0;
const batch = (
  addresses: string[],
  text = '<p>您好 {{name}}，<a href="https://qunfa.test/l/abc">会员日</a></p>',
): OutboundBatch => {
  const base = ++seq * 100;
  return {
    batchId: `b${base}`,
    campaignId: '42',
    account: null,
    idempotencyKey: `b${base}`,
    messages: addresses.map((address, i) => ({
      id: String(base + i),
      address,
      content: { type: 'email', subject: `会员日 ${i}`, text: text.replace('{{name}}', `客户${i}`) },
      unsubscribeUrl: `https://qunfa.test/u/tok${base + i}`,
    })),
  };
};
const received = (id: string) => smtp.messages.find((m) => m.messageId === id);

describe('channel:email-smtp against a local SMTP server', () => {
  it('sends one personalised message per recipient with both parts, RFC 8058 headers and a deterministic Message-ID', async () => {
    const b = batch(['a@example.com', 'b@example.com']);
    const outcomes = await make().send(b, testChannelContext());
    expect(outcomes).toEqual([
      {
        id: b.messages[0]!.id,
        status: 'sent',
        providerMessageId: `qunfa.42.${b.messages[0]!.id}@qunfa.test`,
      },
      {
        id: b.messages[1]!.id,
        status: 'sent',
        providerMessageId: `qunfa.42.${b.messages[1]!.id}@qunfa.test`,
      },
    ]);
    const first = received(`qunfa.42.${b.messages[0]!.id}@qunfa.test`)!;
    expect(first.envelope).toEqual({ from: 'bounces@qunfa.test', to: ['a@example.com'] });
    expect(first.to).toBe('a@example.com');
    expect(first.from).toContain('news@qunfa.test');
    expect(first.subject).toBe('会员日 0');
    expect(first.html).toContain('您好 客户0');
    expect(first.text).toBe('您好 客户0，会员日 (https://qunfa.test/l/abc)');
    expect(first.headers['list-unsubscribe']).toBe(`<https://qunfa.test/u/tok${b.messages[0]!.id}>`);
    expect(first.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(first.headers['reply-to']).toContain('service@qunfa.test');
    expect(received(`qunfa.42.${b.messages[1]!.id}@qunfa.test`)!.html).toContain('客户1');
  });

  it('turns plain text into an HTML part as well', async () => {
    const b = batch(['p@example.com'], '第一行\n第二行 https://qunfa.test/x');
    await make().send(b, testChannelContext());
    const got = received(`qunfa.42.${b.messages[0]!.id}@qunfa.test`)!;
    expect(got.text.trim()).toBe('第一行\n第二行 https://qunfa.test/x');
    expect(got.html).toContain('第一行<br>第二行 <a href="https://qunfa.test/x">');
  });

  it('puts the open pixel just before </body> of the HTML part, never in the text part', async () => {
    const html = '<html><body><p>会员日 <a href="https://qunfa.test/l/abc">详情</a></p></body></html>';
    const b = batch(['px@example.com', 'nobody@example.com', 'bare@example.com'], html);
    b.messages[0]!.openPixelUrl = 'https://qunfa.test/o/tok1.gif?a=1&b=2';
    b.messages[2]!.openPixelUrl = 'https://qunfa.test/o/tok3.gif';
    b.messages[2]!.content = { type: 'email', subject: '无 body', text: '<p>只有段落</p>' };
    await make().send(b, testChannelContext());
    const got = (i: number) => received(`qunfa.42.${b.messages[i]!.id}@qunfa.test`)!;
    const pixel =
      '<img src="https://qunfa.test/o/tok1.gif?a=1&amp;b=2" width="1" height="1" alt="" border="0">';
    expect(got(0).html).toBe(
      `<html><body><p>会员日 <a href="https://qunfa.test/l/abc">详情</a></p>${pixel}</body></html>`,
    );
    expect(got(0).text).toBe('会员日 详情 (https://qunfa.test/l/abc)');
    expect(got(0).text).not.toContain('tok1');
    expect(got(1).html).not.toContain('<img');
    expect(got(2).html).toBe(
      '<p>只有段落</p><img src="https://qunfa.test/o/tok3.gif" width="1" height="1" alt="" border="0">',
    );
    expect(got(2).text).toBe('只有段落');
  });

  it('a plain-text mail carries no pixel, in either part', async () => {
    const b = batch(['plain@example.com'], '您好，会员日见 https://qunfa.test/x');
    b.messages[0]!.openPixelUrl = 'https://qunfa.test/o/tok9.gif';
    await make().send(b, testChannelContext());
    const got = received(`qunfa.42.${b.messages[0]!.id}@qunfa.test`)!;
    expect(got.html).not.toContain('tok9');
    expect(got.text).not.toContain('tok9');
  });

  it('maps refusals at RCPT TO per recipient, the others still sent', async () => {
    const b = batch([
      'gone@example.com',
      'ok@example.com',
      'full@example.com',
      'busy@example.com',
      'not-an-address',
    ]);
    const outcomes = await make().send(b, testChannelContext());
    expect(outcomes.map((o) => [o.status, 'failure' in o ? o.failure : undefined])).toEqual([
      ['failed', 'invalid_recipient'],
      ['sent', undefined],
      ['failed', 'invalid_recipient'],
      ['failed', 'rate_limited'],
      ['failed', 'invalid_recipient'],
    ]);
    expect(JSON.stringify(outcomes)).not.toContain('gone@example.com');
  });

  it('maps a refusal after DATA: 554 5.7.1 is content, 451 is transient', async () => {
    smtp.fail({ kind: 'reply', reply: '554 5.7.1 message rejected as spam' });
    const spam = await make({ poolSize: 1 }).send(batch(['c@example.com']), testChannelContext());
    expect(spam[0]).toMatchObject({ status: 'failed', failure: 'content_rejected' });
    smtp.fail({ kind: 'reply', reply: '451 4.3.0 try again later' });
    const later = await make({ poolSize: 1 }).send(batch(['d@example.com']), testChannelContext());
    expect(later[0]).toMatchObject({ status: 'failed', failure: 'network' });
  });

  it('never answered after DATA: uncertain, and the server holds it once (no blind re-send)', async () => {
    smtp.fail({ kind: 'hold-after-data' });
    const b = batch(['held@example.com']);
    const outcomes = await make({ poolSize: 1 }).send(b, testChannelContext());
    expect(outcomes[0]).toMatchObject({ status: 'uncertain' });
    expect(
      smtp.messages.filter((m) => m.messageId === `qunfa.42.${b.messages[0]!.id}@qunfa.test`),
    ).toHaveLength(1);
  });

  it('an outage at connect is network (nothing sent); wrong credentials restrict the account', async () => {
    smtp.outage();
    try {
      const down = await make().send(batch(['e@example.com']), testChannelContext());
      expect(down[0]).toMatchObject({ status: 'failed', failure: 'network' });
    } finally {
      smtp.restore();
    }
    const wrong = await make({ auth: { user: auth.user, pass: 'wrong' } }).send(
      batch(['f@example.com']),
      testChannelContext(),
    );
    expect(wrong[0]).toMatchObject({ status: 'failed', failure: 'account_restricted' });
  });

  it('refuses content without a subject or of a type e-mail cannot carry, before any call', async () => {
    const before = smtp.rcpts.length;
    const b = batch(['g@example.com', 'h@example.com']);
    b.messages[0]!.content = { type: 'email', text: 'x' };
    b.messages[1]!.content = { type: 'image', text: 'media-id' };
    const outcomes = await make().send(b, testChannelContext());
    expect(outcomes.map((o) => 'failure' in o && o.failure)).toEqual([
      'content_rejected',
      'content_rejected',
    ]);
    expect(smtp.rcpts.length).toBe(before);
  });

  it('validates options once, naming the field', () => {
    expect(() => emailSmtp({ host: '', from: 'a@b.cn' })).toThrow(/host/);
    expect(() => emailSmtp({ host: 'smtp.x.cn', from: 'not an address' })).toThrow(/from/);
    expect(() => emailSmtp({ host: 'smtp.x.cn', from: 'a@b.cn', port: 0 })).toThrow(/port/);
    expect(() => emailSmtp({ host: 'smtp.x.cn', from: 'a@b.cn', bounceToken: 'short' })).toThrow(
      /bounceToken/,
    );
    const c = emailSmtp({ host: 'smtp.x.cn', from: 'a@b.cn', secure: true });
    expect(c.limits).toMatchObject({ maxRecipientsPerSend: 50, contentTypes: ['email', 'text', 'markdown'] });
  });
});
