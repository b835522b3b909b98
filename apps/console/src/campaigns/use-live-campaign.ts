import { useCallback, useEffect, useReducer } from 'react';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { errorCodes } from '../graphql/error-code.js';
import type { CampaignDetail } from '../graphql/types.js';
import { TERMINAL_STATES } from './campaign-actions.js';
import { CampaignProgressSubscription, CampaignQuery } from './campaign-documents.js';
import { INITIAL_LIVE_STATE, type LiveCampaignState, reduceLiveCampaign } from './live-campaign-state.js';
import { snapshotFromEvent } from './merge-progress.js';
import { followsReceipts, RECEIPT_REFRESH_MS } from './receipt-refresh.js';

export interface LiveCampaign extends LiveCampaignState {
  /** Applies a campaign returned by a mutation. */
  applyRead(campaign: CampaignDetail): void;
}

/**
 * A campaign page's data: first the exact counters from `campaign(id)`, then
 * `campaignProgress(id)` events merged by time; every WebSocket reconnect reads the campaign again.
 */
export function useLiveCampaign(id: string): LiveCampaign {
  const client = useClient();
  const { onReconnect } = useSessionContext();
  const [state, dispatch] = useReducer(reduceLiveCampaign, INITIAL_LIVE_STATE);

  useEffect(() => {
    let active = true;
    let subscription: { unsubscribe(): void } | null = null;

    const read = async (): Promise<boolean> => {
      const result = await client.query(CampaignQuery, { id }, { requestPolicy: 'network-only' }).toPromise();
      if (!active) return false;
      if (result.error || !result.data) {
        dispatch({ type: 'read-failed', codes: errorCodes(result.error) });
        return false;
      }
      dispatch({ type: 'read', campaign: result.data.campaign });
      return true;
    };

    const subscribe = () => {
      subscription = client.subscription(CampaignProgressSubscription, { id }).subscribe((result) => {
        if (!active) return;
        if (result.error) {
          subscription?.unsubscribe();
          subscription = null;
          dispatch({ type: 'live', live: false, codes: errorCodes(result.error) });
        } else if (result.data) {
          dispatch({ type: 'event', snapshot: snapshotFromEvent(result.data.campaignProgress) });
          dispatch({ type: 'live', live: true, codes: [] });
        }
      });
      dispatch({ type: 'live', live: true, codes: [] });
    };

    void read().then((ok) => {
      if (ok && active) subscribe();
    });
    const stopListening = onReconnect(() => {
      void read().then((ok) => {
        if (ok && active && subscription === null) subscribe();
      });
    });

    return () => {
      active = false;
      stopListening();
      subscription?.unsubscribe();
    };
  }, [client, id, onReconnect]);

  // Receipts (delivered, read, clicked) keep arriving for hours after the last send, when the
  // progress stream has ended: a recently finished campaign's page re-reads it now and then.
  const ended = state.snapshot !== null && TERMINAL_STATES.has(state.snapshot.state);
  const finishedAt = state.campaign?.finishedAt ?? null;
  useEffect(() => {
    if (!ended || !followsReceipts(finishedAt, Date.now())) return;
    const timer = setInterval(() => {
      void client
        .query(CampaignQuery, { id }, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (result.data) dispatch({ type: 'read', campaign: result.data.campaign });
        });
    }, RECEIPT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [client, id, ended, finishedAt]);

  const applyRead = useCallback((campaign: CampaignDetail) => dispatch({ type: 'read', campaign }), []);
  return { ...state, applyRead };
}
