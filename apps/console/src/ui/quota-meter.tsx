import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';

export interface QuotaToday {
  limit: number;
  used: number;
  left: number;
  resetsAt: string;
}

/** Short of this share of the day's quota left, the meter warns. */
const LOW_SHARE = 0.1;

/** How full a quota is: out (nothing left), low (under a tenth left) or ok. */
export function quotaLevel(q: Pick<QuotaToday, 'limit' | 'left'>): 'out' | 'low' | 'ok' {
  if (q.left <= 0) return 'out';
  return q.left < q.limit * LOW_SHARE ? 'low' : 'ok';
}

interface QuotaMeterProps {
  quota: QuotaToday | null;
  /** Whether the channel has a daily quota at all: null then means "none", else "not readable now". */
  limited: boolean;
  testId?: string;
}

/** A sender account's (or channel's) daily quota today: used of the limit, what is left, when it resets. */
export function QuotaMeter({ quota, limited, testId }: QuotaMeterProps) {
  const { t, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  if (!quota) {
    return (
      <span className="quota muted" data-testid={testId} data-level={limited ? 'unknown' : 'none'}>
        {limited ? t('quota.unknown') : t('quota.none')}
      </span>
    );
  }
  const level = quotaLevel(quota);
  const share = quota.limit > 0 ? Math.min(100, (quota.used / quota.limit) * 100) : 100;
  return (
    <span
      className={`quota quota--${level}`}
      data-testid={testId}
      data-level={level}
      data-used={quota.used}
      data-left={quota.left}
      data-limit={quota.limit}
      title={t('quota.resets', { time: formatDateTime(quota.resetsAt, locale, viewer.workspace.timeZone) })}
    >
      {/* The text says the same for a screen reader. */}
      <span className="quota__track" aria-hidden="true">
        <span className="quota__fill" style={{ width: `${share}%` }} />
      </span>
      <span className="quota__text">
        {t('quota.usedOf', { used: n(quota.used), limit: n(quota.limit) })} ·{' '}
        <strong>{t('quota.left', { left: n(quota.left) })}</strong>
      </span>
    </span>
  );
}
