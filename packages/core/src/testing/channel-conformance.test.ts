import { fakeChannel } from '../engine/fake-channel.test-support.js';
import { describeChannelConformance } from './channel-conformance.js';

describeChannelConformance('fake channel', () => fakeChannel({ maxPerSend: 50 }), {
  unaddressable: [[{ kind: 'email', value: 'a@example.com' }]],
});

describeChannelConformance(
  'fake email channel with failures',
  () =>
    fakeChannel({
      name: 'channel:mail',
      kinds: ['email'],
      maxPerSend: 1000,
      outcome: (_m, n) => (n % 2 ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' }),
    }),
  { maxBatchForTest: 100 },
);
