import { describe, expect, it } from 'vitest';
import { API_KEY_STORAGE_KEY, clearApiKey, loadApiKey, saveApiKey } from './api-key-storage.js';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

describe('api key storage', () => {
  it('saves a trimmed key, loads it and clears it', () => {
    const storage = memoryStorage();
    expect(loadApiKey(storage)).toBeNull();
    saveApiKey(storage, '  qk_live_123 \n');
    expect(storage.map.get(API_KEY_STORAGE_KEY)).toBe('qk_live_123');
    expect(loadApiKey(storage)).toBe('qk_live_123');
    clearApiKey(storage);
    expect(loadApiKey(storage)).toBeNull();
  });

  it('treats a blank stored key as none', () => {
    const storage = memoryStorage();
    storage.setItem(API_KEY_STORAGE_KEY, '   ');
    expect(loadApiKey(storage)).toBeNull();
  });
});
