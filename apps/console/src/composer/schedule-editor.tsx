import { useI18n } from '../i18n/locale-context.js';
import type { ComposerDraft } from './draft.js';

type Props = Pick<ComposerDraft, 'schedule' | 'pacing' | 'quietHours'> & {
  onChange(patch: Partial<Pick<ComposerDraft, 'schedule' | 'pacing' | 'quietHours'>>): void;
};

/** When it sends (now, at a time, recurring, triggered), at what pace, and its quiet hours. */
export function ScheduleEditor({ schedule, pacing, quietHours, onChange }: Props) {
  const { t, tx } = useI18n();
  return (
    <div className="schedule">
      <div className="row" role="radiogroup" aria-label={t('schedule.when')}>
        {(['now', 'at', 'recurring', 'triggered'] as const).map((kind) => (
          <label key={kind}>
            <input
              type="radio"
              name="schedule"
              checked={schedule.kind === kind}
              onChange={() => onChange({ schedule: { ...schedule, kind } })}
            />{' '}
            {t(`schedule.${kind}`)}
          </label>
        ))}
      </div>
      {schedule.kind === 'at' ? (
        <label className="field">
          <span>{t('schedule.at')}</span>
          <input
            type="datetime-local"
            value={schedule.at}
            onChange={(e) => onChange({ schedule: { ...schedule, at: e.target.value } })}
          />
        </label>
      ) : null}
      {schedule.kind === 'recurring' ? (
        <label className="field">
          <span>{t('schedule.cron')}</span>
          <input
            value={schedule.cron}
            onChange={(e) => onChange({ schedule: { ...schedule, cron: e.target.value } })}
          />
        </label>
      ) : null}
      <div className="row">
        <label className="field">
          <span>{t('pacing.mode')}</span>
          <select
            value={pacing.mode}
            onChange={(e) =>
              onChange({ pacing: { ...pacing, mode: e.target.value as 'interval' | 'window' } })
            }
          >
            <option value="interval">{t('pacing.interval')}</option>
            <option value="window">{t('pacing.window')}</option>
          </select>
        </label>
        {pacing.mode === 'interval' ? (
          <label className="field">
            <span>{t('pacing.seconds')}</span>
            <input
              type="number"
              min={0}
              data-testid="pacing-seconds"
              value={pacing.batchIntervalSeconds}
              onChange={(e) =>
                onChange({ pacing: { ...pacing, batchIntervalSeconds: Number(e.target.value) } })
              }
            />
          </label>
        ) : (
          <label className="field">
            <span>{t('pacing.minutes')}</span>
            <input
              type="number"
              min={1}
              value={pacing.sendWindowMinutes}
              onChange={(e) => onChange({ pacing: { ...pacing, sendWindowMinutes: Number(e.target.value) } })}
            />
          </label>
        )}
      </div>
      <div className="row">
        <label className="field">
          <span>{t('quiet.title')}</span>
          <select
            data-testid="quiet-mode"
            value={quietHours.mode}
            onChange={(e) =>
              onChange({
                quietHours: { ...quietHours, mode: e.target.value as ComposerDraft['quietHours']['mode'] },
              })
            }
          >
            {(['INHERIT', 'OFF', 'WINDOW'] as const).map((m) => (
              <option key={m} value={m}>
                {tx(`quiet.mode.${m}`, m)}
              </option>
            ))}
          </select>
        </label>
        {quietHours.mode === 'WINDOW' ? (
          <>
            <label className="field">
              <span>{t('quiet.start')}</span>
              <input
                type="time"
                data-testid="quiet-start"
                value={quietHours.start}
                onChange={(e) => onChange({ quietHours: { ...quietHours, start: e.target.value } })}
              />
            </label>
            <label className="field">
              <span>{t('quiet.end')}</span>
              <input
                type="time"
                data-testid="quiet-end"
                value={quietHours.end}
                onChange={(e) => onChange({ quietHours: { ...quietHours, end: e.target.value } })}
              />
            </label>
          </>
        ) : null}
      </div>
    </div>
  );
}
