import type { TypedDocumentNode } from '@urql/core';
import { useState } from 'react';
import { useClient } from 'urql';
import {
  CancelCampaignMutation,
  PauseCampaignMutation,
  ResumeCampaignMutation,
  StartCampaignMutation,
} from '../graphql/documents.js';
import { errorCodes } from '../graphql/error-code.js';
import type { CampaignDetail, CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorCodes } from '../ui/error-codes.js';
import { actionsForState, type CampaignAction } from './campaign-actions.js';

const MUTATIONS: Record<CampaignAction, TypedDocumentNode<Record<string, CampaignDetail>, { id: string }>> = {
  start: StartCampaignMutation,
  pause: PauseCampaignMutation,
  resume: ResumeCampaignMutation,
  cancel: CancelCampaignMutation,
};

interface ActionsBarProps {
  campaignId: string;
  state: CampaignState;
  onResult(campaign: CampaignDetail): void;
}

/** Start / pause / resume / cancel as the state allows; a refusal shows the API's error code. */
export function CampaignActionsBar({ campaignId, state, onResult }: ActionsBarProps) {
  const client = useClient();
  const { t } = useI18n();
  const [pending, setPending] = useState<CampaignAction | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const actions = actionsForState(state);

  const run = async (action: CampaignAction) => {
    setPending(action);
    setCodes([]);
    const result = await client.mutation(MUTATIONS[action], { id: campaignId }).toPromise();
    setPending(null);
    const campaign = result.data ? Object.values(result.data)[0] : undefined;
    if (result.error || !campaign) {
      setCodes(errorCodes(result.error));
      return;
    }
    onResult(campaign);
  };

  if (actions.length === 0 && codes.length === 0) return null;
  return (
    <section className="actions" aria-label={t('campaign.actions')}>
      <div className="actions__buttons">
        {actions.map((action) => (
          <button
            key={action}
            type="button"
            className={`button ${action === 'cancel' ? 'button--danger' : 'button--primary'}`}
            data-testid={`action-${action}`}
            disabled={pending !== null}
            aria-busy={pending === action}
            onClick={() => void run(action)}
          >
            {t(`action.${action}`)}
          </button>
        ))}
      </div>
      <ErrorCodes codes={codes} />
    </section>
  );
}
