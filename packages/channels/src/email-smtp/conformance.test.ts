import type { CallbackRequest } from '@qunfa/core';
import { describeChannelConformance } from '@qunfa/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { emailSmtp } from './channel.js';
import { dsnFor, type FakeSmtp, startFakeSmtp } from './fake-server.js';

const TOKEN = 'bounce-token-0123456789';
let smtp: FakeSmtp;
const made: { close(): void }[] = [];
beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => {
  for (const c of made) c.close();
  await smtp.close();
});

const bounce = (messageId: string, token: string | undefined): CallbackRequest => ({
  method: 'POST',
  path: '/bounce',
  headers: { 'content-type': 'message/rfc822' },
  query: token === undefined ? {} : { token },
  body: dsnFor(messageId, 'user0@example.com'),
});

describeChannelConformance(
  'channel:email-smtp against a local SMTP server',
  () => {
    const channel = emailSmtp({
      host: smtp.host,
      port: smtp.port,
      from: 'news@qunfa.test',
      bounceToken: TOKEN,
      batchSize: 100,
    });
    made.push(channel);
    return channel;
  },
  {
    content: { type: 'email', subject: '会员日', text: '<p>您好</p>' },
    unaddressable: [
      [{ kind: 'phone', value: '+8613800000000' }],
      [{ kind: 'email', value: 'not an address' }],
    ],
    invalidAddress: 'not-an-address',
    provider: {
      sendRequests: () => smtp.messages.map((m) => m.envelope.to),
      maxRecipientsPerRequest: 1,
      outage() {
        smtp.outage();
        return () => smtp.restore();
      },
    },
    callbacks: {
      forged: ({ outcomes }) => [
        bounce(outcomes[0]?.providerMessageId ?? 'x@qunfa.test', 'not-the-bounce-token-000'),
        bounce(outcomes[0]?.providerMessageId ?? 'x@qunfa.test', undefined),
      ],
      genuine: ({ outcomes }) => bounce(outcomes[0]?.providerMessageId ?? 'x@qunfa.test', TOKEN),
    },
  },
);
