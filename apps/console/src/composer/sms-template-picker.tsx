import { useId } from 'react';
import { useI18n } from '../i18n/locale-context.js';
import type { ContentDraft } from './draft.js';
import { type SmsTemplateView, templateLines } from './sms-text.js';

/**
 * The approved SMS templates (短信模板) of the plan's SMS channels: picking one makes the variant
 * template content naming it, with a `name: value` line for each of its variables.
 */
export function SmsTemplatePicker({
  variant,
  templates,
  onChange,
}: {
  variant: ContentDraft;
  templates: readonly SmsTemplateView[];
  onChange(variant: ContentDraft): void;
}) {
  const { t, tx } = useI18n();
  const id = useId();
  const chosen = variant.type === 'template' ? templates.find((x) => x.name === variant.subject) : undefined;
  return (
    <div className="field sms-template">
      <label htmlFor={id}>{t('composer.smsTemplate')}</label>
      <select
        id={id}
        data-testid={`sms-template-${variant.key}`}
        value={variant.type === 'template' ? variant.subject : ''}
        onChange={(e) => {
          const template = templates.find((x) => x.name === e.target.value);
          onChange(
            template
              ? {
                  ...variant,
                  type: 'template',
                  subject: template.name,
                  text: templateLines(template, variant.text),
                }
              : { ...variant, type: 'text', subject: '' },
          );
        }}
      >
        <option value="">{t('composer.smsFreeText')}</option>
        {variant.type === 'template' && !chosen && variant.subject ? (
          <option value={variant.subject}>{variant.subject}</option>
        ) : null}
        {templates.map((x) => (
          <option key={x.name} value={x.name}>
            {x.name} · {x.id}
            {x.kind ? ` · ${tx(`smsKind.${x.kind}`, x.kind)}` : ''}
          </option>
        ))}
      </select>
      {chosen ? (
        <p className="muted" data-testid={`sms-template-text-${variant.key}`}>
          {chosen.text ? t('composer.smsApproved', { text: chosen.text }) : t('composer.smsNoText')}{' '}
          {chosen.variables.length > 0 ? t('composer.smsLines', { example: '{{name}}' }) : ''}
        </p>
      ) : (
        <p className="muted">{t('composer.smsNeedsTemplate')}</p>
      )}
    </div>
  );
}
