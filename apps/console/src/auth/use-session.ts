import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../graphql/api-client.js';
import type { Viewer } from '../graphql/types.js';
import { clearApiKey, loadApiKey, saveApiKey } from './api-key-storage.js';
import { verifyApiKey } from './verify-api-key.js';

export interface Session {
  api: ApiClient;
  viewer: Viewer;
}

export interface SessionState {
  /** `checking` while a stored or typed key is being verified. */
  status: 'checking' | 'anonymous' | 'authenticated';
  session: Session | null;
  /** Error codes of the last failed login, for the login form. */
  codes: string[];
  logIn(key: string): Promise<void>;
  logOut(): void;
}

/** The logged-in API key: verified with the `viewer` query, remembered in localStorage. */
export function useSession(): SessionState {
  const [status, setStatus] = useState<SessionState['status']>(() =>
    loadApiKey(localStorage) ? 'checking' : 'anonymous',
  );
  const [session, setSession] = useState<Session | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const current = useRef<Session | null>(null);
  const attempt = useRef(0);

  const verify = useCallback(async (key: string) => {
    const id = ++attempt.current;
    setStatus('checking');
    setCodes([]);
    const result = await verifyApiKey({ apiKey: key, location: window.location });
    if (id !== attempt.current) {
      if (result.ok) result.api.dispose();
      return;
    }
    if (result.ok) {
      saveApiKey(localStorage, key);
      current.current?.api.dispose();
      current.current = { api: result.api, viewer: result.viewer };
      setSession(current.current);
      setStatus('authenticated');
      return;
    }
    if (result.codes.includes('UNAUTHENTICATED')) clearApiKey(localStorage);
    setCodes(result.codes);
    setStatus('anonymous');
  }, []);

  useEffect(() => {
    const stored = loadApiKey(localStorage);
    if (stored) void verify(stored);
    return () => {
      attempt.current += 1;
      current.current?.api.dispose();
      current.current = null;
    };
  }, [verify]);

  const logOut = useCallback(() => {
    attempt.current += 1;
    clearApiKey(localStorage);
    current.current?.api.dispose();
    current.current = null;
    setSession(null);
    setCodes([]);
    setStatus('anonymous');
  }, []);

  return { status, session, codes, logIn: verify, logOut };
}
