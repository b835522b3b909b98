/**
 * A backend for the port contracts (queue, rate limiter, event bus): `open` returns a new
 * handle on state shared with every other handle of the same harness — a new connection
 * for a networked backend, the same object for an in-process one. `close` ends every handle.
 */
export interface PortHarness<T> {
  open(): Promise<T>;
  close(): Promise<void>;
}

/** Resolves once `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
