/** Timer functions, injectable so tests need no real time. */
export interface CoalescerTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ProgressCoalescerOptions<T> {
  /** Shortest gap between two publications of one key, in ms. Default 200 (≤ 5 a second). */
  intervalMs?: number;
  publish(key: string, value: T): Promise<void> | void;
  /** Called when a publication fails; events are nudges, so a failure is only reported. */
  onError?(error: unknown, key: string): void;
  timers?: CoalescerTimers;
}

export interface ProgressCoalescer<T> {
  /** Publishes now if the key's interval has passed, else the latest value once it has. */
  push(key: string, value: T): void;
  /** Publishes the latest (or given) value of the key now: for final states. */
  flush(key: string, value?: T): Promise<void>;
  /** Publications of every key finished. */
  idle(): Promise<void>;
  /** Drops pending values and timers. */
  close(): void;
}

const defaultTimers: CoalescerTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

interface KeyState<T> {
  lastAt: number | undefined;
  pending: { value: T } | undefined;
  timer: unknown;
  /** Publications of a key run one after another, so they arrive in order. */
  chain: Promise<void>;
}

/** Per key, at most one publication per interval, always of the latest value (leading and trailing). */
export function createProgressCoalescer<T>(options: ProgressCoalescerOptions<T>): ProgressCoalescer<T> {
  const intervalMs = options.intervalMs ?? 200;
  const timers = options.timers ?? defaultTimers;
  const keys = new Map<string, KeyState<T>>();

  const stateOf = (key: string): KeyState<T> => {
    let state = keys.get(key);
    if (!state) {
      state = { lastAt: undefined, pending: undefined, timer: undefined, chain: Promise.resolve() };
      keys.set(key, state);
    }
    return state;
  };

  const publishNow = (key: string, state: KeyState<T>, value: T): Promise<void> => {
    state.lastAt = timers.now();
    state.chain = state.chain
      .then(() => options.publish(key, value))
      .catch((error: unknown) => options.onError?.(error, key));
    return state.chain;
  };

  const fire = (key: string) => {
    const state = stateOf(key);
    state.timer = undefined;
    if (!state.pending) return;
    const { value } = state.pending;
    state.pending = undefined;
    void publishNow(key, state, value);
  };

  return {
    push(key, value) {
      const state = stateOf(key);
      const since = state.lastAt === undefined ? Number.POSITIVE_INFINITY : timers.now() - state.lastAt;
      if (since >= intervalMs && state.timer === undefined) {
        void publishNow(key, state, value);
        return;
      }
      state.pending = { value };
      if (state.timer === undefined) {
        state.timer = timers.setTimeout(() => fire(key), Math.max(0, intervalMs - since));
      }
    },
    flush(key, value) {
      const state = stateOf(key);
      if (state.timer !== undefined) timers.clearTimeout(state.timer);
      state.timer = undefined;
      const latest = value !== undefined ? { value } : state.pending;
      state.pending = undefined;
      return latest ? publishNow(key, state, latest.value) : state.chain;
    },
    async idle() {
      await Promise.all([...keys.values()].map((s) => s.chain));
    },
    close() {
      for (const state of keys.values()) {
        if (state.timer !== undefined) timers.clearTimeout(state.timer);
        state.timer = undefined;
        state.pending = undefined;
      }
    },
  };
}
