import type { Clock } from '../ports/clock.js';
import type { PluginState } from '../ports/plugin-state.js';
import { systemClock } from './clock.js';

/** Plugin state in one process: the reference for the SQL and Redis backends, and for tests. */
export class MemoryPluginState implements PluginState {
  private entries = new Map<string, { json: string; until: number }>();

  constructor(private readonly clock: Pick<Clock, 'now'> = systemClock) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.live(key);
    return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.entries.set(key, { json: JSON.stringify(value ?? null), until: this.until(ttlMs) });
  }

  async setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async getMany<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]> {
    return keys.map((key) => {
      const entry = this.live(key);
      return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
    });
  }

  async setMany(entries: readonly { key: string; value: unknown }[], ttlMs?: number): Promise<void> {
    for (const e of entries)
      this.entries.set(e.key, { json: JSON.stringify(e.value ?? null), until: this.until(ttlMs) });
  }

  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private until(ttlMs: number | undefined): number {
    return ttlMs === undefined ? Number.POSITIVE_INFINITY : this.clock.now().getTime() + ttlMs;
  }
}
