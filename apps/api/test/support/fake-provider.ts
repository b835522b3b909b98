import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProvider {
  url: string;
  /** Messages delivered, per recipient address; a replayed key adds nothing. */
  delivered: Map<string, number>;
  /** Messages answered from the idempotency record instead of being delivered again. */
  replayed: number;
  /** Every request as it arrived: when (epoch ms), how many messages, and the status answered. */
  requests: { at: number; messages: number; status: number }[];
  /** Set: every request is answered with this HTTP status and nothing is delivered (a provider outage). */
  failWith: number | undefined;
  stop(): Promise<void>;
}

/**
 * A messaging provider on loopback that honours idempotency keys as real ones do: a message
 * sent again under the key it was first sent with is answered with its first message id and
 * not delivered again. It records a message as soon as the request is read, before it
 * answers — a sender killed while waiting for the answer has still sent.
 */
export async function startFakeProvider(options: { latencyMs: number }): Promise<FakeProvider> {
  const seen = new Map<string, string>();
  const provider: FakeProvider = {
    url: '',
    delivered: new Map(),
    replayed: 0,
    requests: [],
    failWith: undefined,
    stop: async () => {},
  };
  let next = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { idempotencyKey, messages } = JSON.parse(body) as {
        idempotencyKey: string;
        messages: { id: string; to: string }[];
      };
      const failWith = provider.failWith;
      provider.requests.push({ at: Date.now(), messages: messages.length, status: failWith ?? 200 });
      if (failWith !== undefined) {
        res.writeHead(failWith, { 'content-type': 'text/plain' });
        res.end('Bad Gateway');
        return;
      }
      const results = messages.map((m) => {
        const key = `${idempotencyKey}\u0000${m.id}`;
        let messageId = seen.get(key);
        if (messageId) provider.replayed++;
        else {
          messageId = `fp-${next++}`;
          seen.set(key, messageId);
          provider.delivered.set(m.to, (provider.delivered.get(m.to) ?? 0) + 1);
        }
        return { id: m.id, messageId };
      });
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ results }));
      }, options.latencyMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return provider;
}
