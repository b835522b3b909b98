import { describe, expect, it } from 'vitest';
import { CampaignProgressSubscription } from '../campaigns/campaign-documents.js';
import { createApiClient, retryWaitMs } from './api-client.js';

describe('retryWaitMs', () => {
  it('doubles from 1 s and stops growing at 10 s, plus up to 1 s of jitter', () => {
    expect(retryWaitMs(0, () => 0)).toBe(1000);
    expect(retryWaitMs(2, () => 0)).toBe(4000);
    expect(retryWaitMs(9, () => 0)).toBe(10_000);
    expect(retryWaitMs(9, () => 0.999)).toBe(10_999);
  });
});

/** A server-side stand-in speaking just enough graphql-transport-ws to acknowledge a connection. */
class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static sockets: FakeWebSocket[] = [];
  readyState = FakeWebSocket.CONNECTING;
  sent: { type: string; payload?: unknown }[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeWebSocket.sockets.push(this);
    setTimeout(() => {
      this.readyState = FakeWebSocket.OPEN;
      this.onopen?.();
    }, 0);
  }

  send(data: string): void {
    const message = JSON.parse(data) as { type: string; payload?: unknown };
    this.sent.push(message);
    if (message.type === 'connection_init') {
      setTimeout(() => this.onmessage?.({ data: JSON.stringify({ type: 'connection_ack' }) }), 0);
    }
  }

  close(code = 1000, reason = ''): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: code === 1000 });
  }
}

function waitFor(predicate: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (predicate()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > 2000) {
        clearInterval(timer);
        reject(new Error('timed out'));
      }
    }, 5);
  });
}

describe('createApiClient', () => {
  it('subscribes over the same-origin socket with the key, and reports reconnects', async () => {
    FakeWebSocket.sockets = [];
    const api = createApiClient({
      apiKey: 'qk_test',
      location: { protocol: 'https:', host: 'console.example.cn' },
      webSocketImpl: FakeWebSocket,
      retryWait: () => 0,
    });
    let reconnects = 0;
    api.onReconnect(() => {
      reconnects += 1;
    });
    const { unsubscribe } = api.client
      .subscription(CampaignProgressSubscription, { id: 'c1' })
      .subscribe(() => {});

    await waitFor(() => FakeWebSocket.sockets[0]?.sent.some((m) => m.type === 'subscribe') ?? false);
    const first = FakeWebSocket.sockets[0]!;
    expect(first.url).toBe('wss://console.example.cn/graphql');
    expect(first.protocol).toBe('graphql-transport-ws');
    expect(first.sent[0]).toEqual({ type: 'connection_init', payload: { authorization: 'Bearer qk_test' } });
    expect(reconnects).toBe(0);

    first.close(1006, 'network lost');
    await waitFor(() => reconnects === 1);
    await waitFor(() => FakeWebSocket.sockets[1]?.sent.some((m) => m.type === 'subscribe') ?? false);

    unsubscribe();
    api.dispose();
  });
});
