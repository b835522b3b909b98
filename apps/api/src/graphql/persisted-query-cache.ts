/** Limits of the automatic persisted-query cache of one API process. */
export interface AutomaticPersistedQueryLimits {
  /** Documents kept, least recently used dropped first. Default 1000. */
  maxEntries?: number;
  /** Longest document kept, in characters; longer ones run but are not kept. Default 20000. */
  maxDocumentLength?: number;
}

/**
 * Documents that clients sent with their hash (Apollo APQ), per workspace, so the next request
 * may send the hash alone. In memory and bounded: a miss only costs the client one resend.
 */
export class AutomaticPersistedQueries {
  readonly #entries = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #maxDocumentLength: number;

  constructor(limits: AutomaticPersistedQueryLimits = {}) {
    this.#maxEntries = limits.maxEntries ?? 1000;
    this.#maxDocumentLength = limits.maxDocumentLength ?? 20_000;
  }

  get(scope: string, hash: string): string | undefined {
    const key = `${scope}:${hash}`;
    const document = this.#entries.get(key);
    if (document !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, document);
    }
    return document;
  }

  set(scope: string, hash: string, document: string): void {
    if (document.length > this.#maxDocumentLength) return;
    const key = `${scope}:${hash}`;
    this.#entries.delete(key);
    this.#entries.set(key, document);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
