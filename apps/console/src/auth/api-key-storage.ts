/** Where the console keeps the API key: this browser's localStorage, under one key. */
export const API_KEY_STORAGE_KEY = 'qunfa.console.apiKey';

type KeyStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function loadApiKey(storage: KeyStorage): string | null {
  const key = storage.getItem(API_KEY_STORAGE_KEY)?.trim();
  return key ? key : null;
}

export function saveApiKey(storage: KeyStorage, key: string): void {
  storage.setItem(API_KEY_STORAGE_KEY, key.trim());
}

export function clearApiKey(storage: KeyStorage): void {
  storage.removeItem(API_KEY_STORAGE_KEY);
}
