import { useI18n } from '../i18n/locale-context.js';
import type { PlanStepDraft } from './draft.js';

interface ChannelPlanEditorProps {
  plan: PlanStepDraft[];
  channels: readonly string[];
  onChange(plan: PlanStepDraft[]): void;
}

/** The channels in fallback order; each step may escalate to the next after a delay without a receipt. */
export function ChannelPlanEditor({ plan, channels, onChange }: ChannelPlanEditorProps) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<PlanStepDraft>) =>
    onChange(plan.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...plan];
    const [step] = next.splice(i, 1);
    next.splice(i + by, 0, step!);
    onChange(next);
  };
  const unused = channels.filter((c) => !plan.some((s) => s.channel === c));
  return (
    <div className="plan" data-testid="channel-plan">
      <ol className="plan__steps">
        {plan.map((step, i) => (
          <li key={step.channel} className="plan__step" data-testid={`plan-step-${i}`}>
            <div className="row">
              <strong>
                {i + 1}. {step.channel}
              </strong>
              <button
                type="button"
                className="button button--ghost"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={t('plan.up')}
              >
                ↑
              </button>
              <button
                type="button"
                className="button button--ghost"
                disabled={i === plan.length - 1}
                onClick={() => move(i, 1)}
                aria-label={t('plan.down')}
              >
                ↓
              </button>
              <button
                type="button"
                className="button button--ghost"
                onClick={() => onChange(plan.filter((_, j) => j !== i))}
              >
                {t('composer.remove')}
              </button>
            </div>
            {i < plan.length - 1 ? (
              <div className="row">
                <label className="field">
                  <span>{t('plan.escalateAfter')}</span>
                  <input
                    type="number"
                    min={0}
                    value={step.escalateAfterMinutes ?? ''}
                    placeholder={t('plan.onlyOnFailure')}
                    onChange={(e) =>
                      update(i, {
                        escalateAfterMinutes: e.target.value === '' ? null : Number(e.target.value),
                      })
                    }
                  />
                </label>
                <label className="field">
                  <span>{t('plan.escalateUnless')}</span>
                  <select
                    value={step.escalateUnless}
                    onChange={(e) =>
                      update(i, { escalateUnless: e.target.value as PlanStepDraft['escalateUnless'] })
                    }
                  >
                    <option value="DELIVERED">{t('funnel.delivered')}</option>
                    <option value="READ">{t('funnel.read')}</option>
                  </select>
                </label>
              </div>
            ) : null}
            <label className="field">
              <span>{t('plan.failover')}</span>
              <input
                value={step.failover}
                placeholder="channel:sms-tencent"
                onChange={(e) => update(i, { failover: e.target.value })}
              />
            </label>
          </li>
        ))}
      </ol>
      {unused.length > 0 ? (
        <div className="row">
          <select
            aria-label={t('plan.add')}
            data-testid="plan-add"
            value=""
            onChange={(e) =>
              e.target.value &&
              onChange([
                ...plan,
                {
                  channel: e.target.value,
                  escalateAfterMinutes: null,
                  escalateUnless: 'DELIVERED',
                  failover: '',
                },
              ])
            }
          >
            <option value="">{t('plan.add')}</option>
            {unused.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {plan.length === 0 ? <p className="alert">{t('plan.empty')}</p> : null}
    </div>
  );
}
