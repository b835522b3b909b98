import type { CampaignState } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';

/** A campaign's state as a coloured badge; `data-state` carries the enum value for tests and styles. */
export function StateBadge({ state }: { state: CampaignState }) {
  const { tx } = useI18n();
  return (
    <span className={`badge badge--${state.toLowerCase()}`} data-testid="campaign-state" data-state={state}>
      {tx(`state.${state}`, state)}
    </span>
  );
}
