import { useI18n } from '../i18n/locale-context.js';
import type { ComposerDraft } from './draft.js';

/** The A/B test's settings: share in the test, the metric that wins, auto or confirmed, when it decides. */
export function AbEditor({
  ab,
  onChange,
}: {
  ab: ComposerDraft['ab'];
  onChange(ab: ComposerDraft['ab']): void;
}) {
  const { t, tx } = useI18n();
  return (
    <div className="row">
      <label className="field">
        <span>{t('abSetup.testPercent')}</span>
        <input
          type="number"
          min={1}
          max={100}
          value={ab.testPercent}
          onChange={(e) => onChange({ ...ab, testPercent: Number(e.target.value) })}
        />
      </label>
      <label className="field">
        <span>{t('abSetup.metric')}</span>
        <select
          value={ab.winnerMetric}
          onChange={(e) =>
            onChange({ ...ab, winnerMetric: e.target.value as ComposerDraft['ab']['winnerMetric'] })
          }
        >
          {(['CLICK_RATE', 'OPEN_RATE', 'DELIVERY_RATE'] as const).map((m) => (
            <option key={m} value={m}>
              {tx(`ab.metric.${m}`, m)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('abSetup.selection')}</span>
        <select
          value={ab.winnerSelection}
          onChange={(e) => onChange({ ...ab, winnerSelection: e.target.value as 'AUTO' | 'CONFIRM' })}
        >
          <option value="CONFIRM">{t('abSetup.confirm')}</option>
          <option value="AUTO">{t('abSetup.auto')}</option>
        </select>
      </label>
      <label className="field">
        <span>{t('abSetup.delay')}</span>
        <input
          type="number"
          min={1}
          value={ab.decisionDelayMinutes}
          onChange={(e) => onChange({ ...ab, decisionDelayMinutes: Number(e.target.value) })}
        />
      </label>
    </div>
  );
}
