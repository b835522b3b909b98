/** What a login streams to the console: a QR code to scan, its status, then the login or logout. */
export type LoginEvent =
  | { account: string; type: 'scan'; qrcode: string | null; status: string; at: Date }
  | { account: string; type: 'login'; userId: string; at: Date }
  | { account: string; type: 'logout'; reason: string | null; at: Date }
  | { account: string; type: 'error'; message: string; at: Date };

type Listener = (event: LoginEvent) => void;

/** Fan-out of login events per account; a late subscriber first gets the latest QR code. */
export function loginEventHub() {
  const listeners = new Map<string, Set<Listener>>();
  const lastScan = new Map<string, LoginEvent>();
  return {
    emit(event: LoginEvent): void {
      if (event.type === 'scan') lastScan.set(event.account, event);
      else lastScan.delete(event.account);
      for (const listener of listeners.get(event.account) ?? []) listener(event);
    },
    subscribe(account: string, listener: Listener): () => void {
      const set = listeners.get(account) ?? new Set();
      set.add(listener);
      listeners.set(account, set);
      const scan = lastScan.get(account);
      if (scan) listener(scan);
      return () => {
        set.delete(listener);
      };
    },
  };
}

export type LoginEventHub = ReturnType<typeof loginEventHub>;

/**
 * The events of one account as an async iterator, from the moment of this call (the latest QR
 * code first, if one is showing); it ends after a login, or when `signal` aborts.
 */
export function loginEventStream(
  hub: LoginEventHub,
  account: string,
  signal?: AbortSignal,
): AsyncGenerator<LoginEvent> {
  const queue: LoginEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = hub.subscribe(account, (event) => {
    queue.push(event);
    wake?.();
  });
  const aborted = () => wake?.();
  signal?.addEventListener('abort', aborted);
  async function* events(): AsyncGenerator<LoginEvent> {
    try {
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift() as LoginEvent;
          yield event;
          if (event.type === 'login') return;
        }
        if (signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', aborted);
    }
  }
  return events();
}
