/**
 * Small JSON state of a plugin, shared by every worker and API process using the same
 * database or Redis: access tokens until they expire, uploaded media ids, sync cursors,
 * replay guards. Not for bulk data. The app gives each plugin a view scoped to its name
 * (`scopePluginState`), so keys never collide across plugins.
 */
export interface PluginState {
  /** The value, or undefined when absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value, replacing any; `ttlMs` undefined: kept until deleted. */
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  /**
   * Stores the value only when the key is absent or expired; true when it did. One caller
   * wins across processes: a lock, or a replay guard (a callback nonce seen twice).
   */
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
}

/** Longest key a backend must accept, in characters (prefix included). */
export const PLUGIN_STATE_MAX_KEY = 512;

/** A plugin's view of the shared state: every key under `<plugin name>/`. */
export function scopePluginState(state: PluginState, pluginName: string): PluginState {
  const k = (key: string) => `${pluginName}/${key}`;
  return {
    get: (key) => state.get(k(key)),
    set: (key, value, ttlMs) => state.set(k(key), value, ttlMs),
    setIfAbsent: (key, value, ttlMs) => state.setIfAbsent(k(key), value, ttlMs),
    delete: (key) => state.delete(k(key)),
  };
}
