import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message as the provider took it: where, what, under which message id. */
export interface TakenMessage {
  channel: string;
  to: string;
  text: string;
  messageId: string;
  /** When it was taken (epoch ms). */
  at: number;
}

export interface TwoChannelProvider {
  url: string;
  /** Every message delivered once (a repeat under its idempotency key is not), in arrival order. */
  taken: TakenMessage[];
  /** Messages answered from the idempotency record instead of being taken again. */
  replayed: number;
  stop(): Promise<void>;
}

interface Receipt {
  seq: number;
  messageId: string;
  /** When the provider reports it (epoch ms). */
  at: number;
}

/**
 * A provider with two channels on loopback (`POST /<channel>/send`), honouring idempotency keys
 * as real ones do, and numbered delivery receipts for channel `a` (`GET /a/receipts?after=<seq>`),
 * each reported `receiptAfterMs` after its message was taken, for the messages `delivered` says.
 * Its records — taken before it answers, so a sender killed while waiting has still sent — are
 * the truth a fault test checks against.
 */
export async function startTwoChannelProvider(options: {
  latencyMs: number;
  receiptAfterMs: number;
  delivered: (to: string, text: string) => boolean;
}): Promise<TwoChannelProvider> {
  const seen = new Map<string, string>();
  const receipts: Receipt[] = [];
  const provider: TwoChannelProvider = { url: '', taken: [], replayed: 0, stop: async () => {} };
  let next = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://provider');
    const [, channel, action] = url.pathname.split('/');
    if (req.method === 'GET' && channel === 'a' && action === 'receipts') {
      const after = Number(url.searchParams.get('after') ?? 0);
      const now = Date.now();
      // Only a prefix in sequence order: a receipt not due yet holds back the later ones.
      const ready: Receipt[] = [];
      for (const r of receipts.filter((x) => x.seq > after)) {
        if (r.at > now) break;
        ready.push(r);
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ receipts: ready, last: ready.at(-1)?.seq ?? after }));
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { idempotencyKey, messages } = JSON.parse(body) as {
        idempotencyKey: string;
        messages: { id: string; to: string; text: string }[];
      };
      const results = messages.map((m) => {
        const key = `${channel}\u0000${idempotencyKey}\u0000${m.id}`;
        let messageId = seen.get(key);
        if (messageId) provider.replayed++;
        else {
          messageId = `${channel}-${next++}`;
          seen.set(key, messageId);
          provider.taken.push({ channel: channel!, to: m.to, text: m.text, messageId, at: Date.now() });
          if (channel === 'a' && options.delivered(m.to, m.text)) {
            receipts.push({ seq: receipts.length + 1, messageId, at: Date.now() + options.receiptAfterMs });
          }
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
