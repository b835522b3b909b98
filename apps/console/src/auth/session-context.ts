import { createContext, useContext } from 'react';
import type { Viewer } from '../graphql/types.js';

export interface SessionContextValue {
  viewer: Viewer;
  /** Registers a callback for each WebSocket reconnect; returns its remover. */
  onReconnect(listener: () => void): () => void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSessionContext(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionContext must be used inside <SessionContext>');
  return value;
}
