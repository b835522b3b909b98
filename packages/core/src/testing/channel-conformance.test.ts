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

// One provider shared by every channel the kit makes, as a fake server would be.
const provider = fakeChannel({
  maxPerSend: 20,
  outcome: (m) =>
    m.address === 'bad' ? { status: 'failed', failure: 'invalid_recipient' } : { status: 'sent' },
});
const accepted = new Map<string, string>();
let down = false;
const probed: typeof provider = {
  ...provider,
  async send(...args) {
    const outcomes = await provider.send(...args);
    if (down)
      return outcomes.map((o) => ({ id: o.id, status: 'failed', failure: 'network', error: 'fake 503' }));
    for (const o of outcomes) if (o.providerMessageId) accepted.set(o.id, o.providerMessageId);
    return outcomes;
  },
  async queryStatus(batch) {
    return batch.messages.flatMap((m) => {
      const id = accepted.get(m.id);
      return id ? [{ id: m.id, status: 'sent' as const, providerMessageId: id }] : [];
    });
  },
};

describeChannelConformance('fake channel with a provider probe', () => probed, {
  invalidAddress: 'bad',
  provider: {
    sendRequests: () => provider.calls.map((c) => c.messages.map((m) => m.address)),
    maxRecipientsPerRequest: 20,
    outage() {
      down = true;
      return () => {
        down = false;
      };
    },
  },
});
