import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import type { FinishEstimate } from './finish-estimate.js';

/** The live finish time: when it ended, when it will at the current pace, or not before a wait ends. */
export function FinishTime({ estimate }: { estimate: FinishEstimate }) {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  const at = (ms: number | null) =>
    formatDateTime(ms === null ? null : new Date(ms).toISOString(), locale, viewer.workspace.timeZone);
  let text: string;
  switch (estimate.kind) {
    case 'finished':
      text = estimate.atMs === null ? t('finish.done') : t('finish.finished', { time: at(estimate.atMs) });
      break;
    case 'eta':
      text = t('finish.eta', { time: at(estimate.atMs) });
      break;
    case 'not-before':
      text = t('finish.notBefore', { time: at(estimate.atMs) });
      break;
    default:
      text = t('finish.unknown');
  }
  return (
    <p className="finish-time" data-testid="finish-time" data-kind={estimate.kind}>
      {text}
    </p>
  );
}
