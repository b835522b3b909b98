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
  /**
   * The values of many keys in one round trip, in order (undefined where absent or expired).
   * Optional: `readMany` falls back to `get` key by key.
   */
  getMany?<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Stores many values, each with the same `ttlMs`, in one round trip. Optional: `writeMany` falls back to `set`. */
  setMany?(entries: readonly { key: string; value: unknown }[], ttlMs?: number): Promise<void>;
}

/** Keys read or written at once by the fallbacks of `readMany` / `writeMany`. */
const FALLBACK_SLICE = 200;

/** `state.getMany` where the backend has it, else `get` in parallel slices. */
export async function readMany<T = unknown>(
  state: PluginState,
  keys: readonly string[],
): Promise<(T | undefined)[]> {
  if (keys.length === 0) return [];
  if (state.getMany) return state.getMany<T>(keys);
  const out: (T | undefined)[] = [];
  for (let i = 0; i < keys.length; i += FALLBACK_SLICE)
    out.push(...(await Promise.all(keys.slice(i, i + FALLBACK_SLICE).map((k) => state.get<T>(k)))));
  return out;
}

/** `state.setMany` where the backend has it, else `set` in parallel slices. */
export async function writeMany(
  state: PluginState,
  entries: readonly { key: string; value: unknown }[],
  ttlMs?: number,
): Promise<void> {
  if (entries.length === 0) return;
  if (state.setMany) return state.setMany(entries, ttlMs);
  for (let i = 0; i < entries.length; i += FALLBACK_SLICE)
    await Promise.all(entries.slice(i, i + FALLBACK_SLICE).map((e) => state.set(e.key, e.value, ttlMs)));
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
    getMany: (keys) => readMany(state, keys.map(k)),
    setMany: (entries, ttlMs) =>
      writeMany(
        state,
        entries.map((e) => ({ key: k(e.key), value: e.value })),
        ttlMs,
      ),
  };
}
