import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { WaitReason } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';

/**
 * "Why nothing moves": what the campaign waits for (quiet hours until 08:00, a staff member's
 * confirmation, a cooling account, a used-up quota, a schedule), how many recipients, until when.
 * While it is sending (`moving`) the same reasons are about some recipients only, and say so.
 */
export function WaitingPanel({ waiting, moving }: { waiting: readonly WaitReason[]; moving: boolean }) {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  if (waiting.length === 0) return null;
  const timeZone = viewer.workspace.timeZone;
  return (
    <section
      className={`card waiting${moving ? ' waiting--partial' : ''}`}
      aria-labelledby="waiting-title"
      data-testid="waiting-panel"
      data-moving={moving}
    >
      <h2 id="waiting-title">{moving ? t('waiting.partialTitle') : t('waiting.title')}</h2>
      {moving ? <p className="muted">{t('waiting.partialNote')}</p> : null}
      <ul className="waiting__list">
        {waiting.map((w) => (
          <li
            key={`${w.reason}:${w.detail ?? ''}`}
            data-testid={`waiting-${w.reason}`}
            data-reason={w.reason}
          >
            <strong>{tx(`wait.${w.reason}`, w.reason)}</strong>
            {w.detail ? <span className="muted"> · {w.detail}</span> : null}
            <div className="waiting__facts">
              {w.count !== null ? <span>{t('waiting.count', { count: n(w.count) })}</span> : null}
              {w.until ? (
                <span data-testid="waiting-until">
                  {t('waiting.until', { time: formatDateTime(w.until, locale, timeZone) })}
                  {w.lastUntil && w.lastUntil !== w.until
                    ? ` – ${formatDateTime(w.lastUntil, locale, timeZone)}`
                    : ''}
                </span>
              ) : (
                <span>{t('waiting.person')}</span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
