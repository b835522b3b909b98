import { useI18n } from '../i18n/locale-context.js';
import { QuotaMeter, type QuotaToday } from '../ui/quota-meter.js';
import type { ChannelModeProblem, ComposerDraft, PlanStepDraft } from './draft.js';

/** A loaded channel as the plan shows it: its daily quota today, per sender account. */
export interface PlanChannel {
  name: string;
  limits: { maxSendsPerDay: number | null };
  quotaToday: QuotaToday | null;
  accounts: readonly { account: string; state: string; quotaToday: QuotaToday | null }[];
}

interface ChannelPlanEditorProps {
  plan: PlanStepDraft[];
  mode: ComposerDraft['channelMode'];
  /** What the API would refuse in this plan for its mode (null: nothing). */
  problem: ChannelModeProblem | null;
  channels: readonly PlanChannel[];
  onChange(plan: PlanStepDraft[]): void;
  onModeChange(mode: ComposerDraft['channelMode']): void;
}

const MODES = ['FIRST', 'ALL'] as const;

/** First that reaches, or all channels; the constraints of the second are shown before a save. */
function ModeSwitch({
  mode,
  problem,
  onModeChange,
}: Pick<ChannelPlanEditorProps, 'mode' | 'problem' | 'onModeChange'>) {
  const { t } = useI18n();
  return (
    <fieldset className="plan__mode" data-testid="channel-mode" data-mode={mode}>
      <legend>{t('plan.mode')}</legend>
      {MODES.map((m) => (
        <label key={m} className="plan__mode-option">
          <input
            type="radio"
            name="channel-mode"
            value={m}
            data-testid={`channel-mode-${m}`}
            checked={mode === m}
            onChange={() => onModeChange(m)}
          />{' '}
          {t(`plan.mode.${m}`)}
        </label>
      ))}
      {problem ? (
        <p className="alert" role="alert" data-testid="channel-mode-problem" data-kind={problem.kind}>
          {problem.kind === 'abTest'
            ? t('plan.problem.abTest')
            : t(`plan.problem.${problem.kind}`, { step: problem.step, channel: problem.channel })}
        </p>
      ) : null}
    </fieldset>
  );
}

/** The channel's quota today, and each sender account's under it. */
function StepQuota({ channel }: { channel: PlanChannel | undefined }) {
  const { t, tx } = useI18n();
  if (!channel) return null;
  const limited = channel.limits.maxSendsPerDay !== null;
  return (
    <div className="plan__quota" data-testid={`plan-quota-${channel.name}`}>
      <span className="muted">{t('quota.label')}:</span>{' '}
      <QuotaMeter quota={channel.quotaToday} limited={limited} testId="plan-channel-quota" />
      {limited && channel.accounts.length > 0 ? (
        <ul className="plan__accounts">
          {channel.accounts.map((a) => (
            <li key={a.account} data-testid="plan-account-quota" data-account={a.account}>
              {a.account}
              {a.state === 'HEALTHY' ? null : (
                <strong className={`health--${a.state.toLowerCase()}`}>
                  {' '}
                  · {tx(`health.${a.state}`, a.state)}
                </strong>
              )}{' '}
              <QuotaMeter quota={a.quotaToday} limited={limited} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The channels in fallback order; each step may escalate to the next after a delay without a receipt. */
export function ChannelPlanEditor({
  plan,
  mode,
  problem,
  channels,
  onChange,
  onModeChange,
}: ChannelPlanEditorProps) {
  const { t } = useI18n();
  const update = (i: number, patch: Partial<PlanStepDraft>) =>
    onChange(plan.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const move = (i: number, by: -1 | 1) => {
    const next = [...plan];
    const [step] = next.splice(i, 1);
    next.splice(i + by, 0, step!);
    onChange(next);
  };
  const unused = channels.map((c) => c.name).filter((c) => !plan.some((s) => s.channel === c));
  return (
    <div className="plan" data-testid="channel-plan">
      <ModeSwitch mode={mode} problem={problem} onModeChange={onModeChange} />
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
                data-testid={`plan-remove-${i}`}
                onClick={() => onChange(plan.filter((_, j) => j !== i))}
              >
                {t('composer.remove')}
              </button>
            </div>
            <StepQuota channel={channels.find((c) => c.name === step.channel)} />
            {/* All channels send at once: escalation is offered only to clear one already set. */}
            {i < plan.length - 1 && (mode === 'FIRST' || step.escalateAfterMinutes !== null) ? (
              <div className="row">
                <label className="field">
                  <span>{t('plan.escalateAfter')}</span>
                  <input
                    type="number"
                    min={0}
                    data-testid={`plan-escalate-${i}`}
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
