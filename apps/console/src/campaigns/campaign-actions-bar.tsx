import type { CombinedError, TypedDocumentNode } from '@urql/core';
import { useState } from 'react';
import { useClient } from 'urql';
import type { CampaignDetail, CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { actionsForState, type CampaignAction } from './campaign-actions.js';
import {
  CancelCampaignMutation,
  PauseCampaignMutation,
  ResumeCampaignMutation,
  StartCampaignMutation,
} from './campaign-documents.js';

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

/** Start / pause / resume / cancel (after a confirmation) as the state allows; a refusal shows the server's reason. */
export function CampaignActionsBar({ campaignId, state, onResult }: ActionsBarProps) {
  const client = useClient();
  const { t } = useI18n();
  const [pending, setPending] = useState<CampaignAction | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const actions = actionsForState(state);

  const run = async (action: CampaignAction) => {
    setPending(action);
    setError(null);
    const result = await client.mutation(MUTATIONS[action], { id: campaignId }).toPromise();
    setPending(null);
    const campaign = result.data ? Object.values(result.data)[0] : undefined;
    if (result.error || !campaign) {
      setError(result.error ?? null);
      return;
    }
    onResult(campaign);
  };

  if (actions.length === 0 && !error) return null;
  return (
    <section className="actions" aria-label={t('campaign.actions')}>
      <div className="actions__buttons">
        {actions.map((action) =>
          action === 'cancel' ? (
            <ConfirmButton
              key={action}
              label={t('action.cancel')}
              title={t('action.cancelTitle')}
              danger
              disabled={pending !== null}
              testId="action-cancel"
              onConfirm={() => void run('cancel')}
            >
              <p>{t('action.cancelBody')}</p>
            </ConfirmButton>
          ) : (
            <button
              key={action}
              type="button"
              className="button button--primary"
              data-testid={`action-${action}`}
              disabled={pending !== null}
              aria-busy={pending === action}
              onClick={() => void run(action)}
            >
              {t(`action.${action}`)}
            </button>
          ),
        )}
      </div>
      <ErrorNotice error={error} />
    </section>
  );
}
