import { type ChannelPlugin, type ContentType, escalationReceiptProblems } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { emailSmtp } from './email-smtp/channel.js';
import { sandbox } from './sandbox/channel.js';
import { smsAliyun } from './sms-aliyun/channel.js';
import { wechatOa } from './wechat-oa/channel.js';
import { wecom } from './wecom/channel.js';
import { appContentTypes } from './wecom/content.js';
import { customerContentTypes } from './wecom/customer-content.js';

/** What the kernel's check says of one step on `channel`, escalating unless `unless`. */
function problems(
  channel: ChannelPlugin,
  type: ContentType,
  unless: 'delivered' | 'read',
  openPixel = false,
) {
  return escalationReceiptProblems(
    {
      channelPlan: [
        { channel: channel.name, escalateAfter: { ms: 60_000, unless } },
        { channel: 'channel:next' },
      ],
      variants: [{ content: { type } }],
    },
    (name) => (name === channel.name ? channel.limits : undefined),
    openPixel,
  ).map((p) => `${p.channel} ${p.contentType} ${p.unless}`);
}

const oa = (callback: boolean) =>
  wechatOa({
    appId: 'wx0123456789abcdef',
    appSecret: 'secret',
    accountType: 'service',
    ...(callback ? { callback: { token: 'pushToken123' } } : {}),
  });

describe('receipt states the built-in channels declare', () => {
  it('an Official Account reports no mass message per follower; template messages delivered, with the callback', () => {
    for (const type of ['text', 'news', 'image', 'voice', 'video'] as const) {
      expect(problems(oa(true), type, 'delivered')).toEqual([`channel:wechat-oa ${type} delivered`]);
    }
    expect(problems(oa(true), 'template', 'delivered')).toEqual([]);
    expect(problems(oa(true), 'template', 'read')).toEqual(['channel:wechat-oa template read']);
    expect(problems(oa(false), 'template', 'delivered')).toEqual(['channel:wechat-oa template delivered']);
  });

  it('e-mail reports opens only with the pixel, and never a delivery', () => {
    const mail = emailSmtp({ host: 'smtp.example.com', from: 'news@example.com' });
    expect(problems(mail, 'email', 'read')).toEqual(['channel:email-smtp email read']);
    expect(problems(mail, 'email', 'read', true)).toEqual([]);
    expect(problems(mail, 'email', 'delivered', true)).toEqual(['channel:email-smtp email delivered']);
    expect(
      escalationReceiptProblems(
        {
          channelPlan: [{ channel: mail.name, escalateAfter: { ms: 1000, unless: 'read' } }],
          variants: [{ content: { type: 'email' } }],
        },
        () => mail.limits,
        false,
      )[0]!.message,
    ).toContain('turn on the open pixel');
    mail.close();
  });

  it('SMS reports delivery, not reads', () => {
    const sms = smsAliyun({ accessKeyId: 'id', accessKeySecret: 'secret', signName: '测试' });
    expect(problems(sms, 'template', 'delivered')).toEqual([]);
    expect(problems(sms, 'template', 'read')).toEqual(['channel:sms-aliyun template read']);
  });

  it('the sandbox declares what its engagement draws; without engagement nothing (a test supplies receipts)', () => {
    expect(problems(sandbox({ name: 'channel:fake' }), 'text', 'read')).toEqual([]);
    const delivering = sandbox({ name: 'channel:fake', engagement: { delivered: 0.5 } });
    expect(problems(delivering, 'text', 'delivered')).toEqual([]);
    expect(problems(delivering, 'text', 'read')).toEqual(['channel:fake text read']);
    expect(problems(sandbox({ name: 'channel:fake', engagement: { read: 0.3 } }), 'text', 'read')).toEqual(
      [],
    );
  });

  it('a failover provider of the step is judged too, and undeclared channels not at all', () => {
    const declared = oa(true);
    const undeclared = { ...sandbox({ name: 'channel:plugin' }) };
    const found = escalationReceiptProblems(
      {
        channelPlan: [
          {
            channel: undeclared.name,
            failover: [declared.name],
            escalateAfter: { ms: 1000, unless: 'delivered' },
          },
        ],
        variants: [{ content: { type: 'text' } }],
      },
      (name) => (name === declared.name ? declared.limits : undeclared.limits),
      false,
    );
    expect(found.map((p) => [p.step, p.channel, p.field])).toEqual([
      [0, 'channel:wechat-oa', 'channelPlan.0.escalateUnless'],
    ]);
  });

  it('WeCom: customer and group tasks report delivered when polled, application messages nothing; no kind reports read', () => {
    const channel = wecom({
      corpId: 'ww0123456789abcdef',
      apps: [{ agentId: 1000002, secret: 'app-secret' }],
    });
    // Customer and group tasks send these and report result 1 per recipient.
    for (const type of ['text', 'link', 'news', 'image', 'video'] as const) {
      expect(problems(channel, type, 'delivered')).toEqual([]);
      expect(problems(channel, type, 'read')).toEqual([`channel:wecom ${type} read`]);
    }
    // Only application messages carry markdown and voice, and WeCom reports nothing after message/send.
    for (const type of ['markdown', 'voice'] as const)
      expect(problems(channel, type, 'delivered')).toEqual([`channel:wecom ${type} delivered`]);
    const kinds = channel.limits.receiptKinds!;
    expect(kinds.map((k) => [k.name, k.identityKinds, k.via, k.laterResults])).toEqual([
      ['app', ['wecom_userid'], 'none', []],
      ['customer', ['wecom_external_userid'], 'poll', ['delivered', 'failed', 'filtered']],
      ['group', ['wecom_chat_id'], 'poll', ['delivered', 'failed', 'filtered']],
    ]);
    // Each kind declares exactly the content types it sends, and every type the channel takes is declared.
    expect(Object.keys(kinds[0]!.receiptStates).sort()).toEqual([...appContentTypes].sort());
    expect(Object.keys(kinds[1]!.receiptStates).sort()).toEqual([...customerContentTypes].sort());
    expect(Object.keys(channel.limits.receiptStates!).sort()).toEqual(
      [...channel.limits.contentTypes].sort(),
    );
    // The kinds address what the channel addresses, one identity kind each.
    expect(kinds.flatMap((k) => k.identityKinds).sort()).toEqual([...channel.identityKinds].sort());
  });
});
