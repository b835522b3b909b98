import {
  fillSmsTemplate,
  findSmsTemplate,
  parseSmsTemplateParams,
  type SmsProfile,
} from '@qunfa/core/sms-template';
import type { ResultOf } from '../graphql/graphql.js';
import type { ComposerOptionsQuery } from './composer-documents.js';
import type { ContentDraft } from './draft.js';

export type SmsProfileView = NonNullable<
  ResultOf<typeof ComposerOptionsQuery>['channels'][number]['limits']['sms']
>;
export type SmsTemplateView = SmsProfileView['templates'][number];

function profileOf(view: SmsProfileView): SmsProfile {
  return {
    signName: view.signName,
    templates: Object.fromEntries(
      view.templates.map((t) => [
        t.name,
        {
          id: t.id,
          ...(t.text === null ? {} : { text: t.text }),
          ...(t.kind === 'marketing' || t.kind === 'notification' || t.kind === 'verification'
            ? { kind: t.kind }
            : {}),
        },
      ]),
    ),
  };
}

export interface BilledSms {
  /** 【sign】 and the text a recipient gets: the template filled with the variant's values. */
  text: string;
  /** The template the variant names on this channel; null for free text or an unknown name. */
  template: SmsTemplateView | null;
}

/**
 * What the carrier bills for one recipient on an SMS channel: the sign name in 【】 and the
 * template's approved text filled from the variant's `name: value` lines, each value rendered
 * for the sample contact (`render`). Free text (which the rules refuse) is counted as written.
 */
export function billedSms(
  variant: ContentDraft,
  view: SmsProfileView,
  render: (s: string) => string,
): BilledSms {
  const sign = `【${view.signName}】`;
  if (variant.type !== 'template') return { text: sign + render(variant.text), template: null };
  const spec = findSmsTemplate(profileOf(view), variant.subject.trim());
  const template = view.templates.find((t) => t.id === spec?.id) ?? null;
  const params = parseSmsTemplateParams(variant.text);
  if (!spec?.text || typeof params === 'string') return { text: sign, template };
  return {
    text:
      sign +
      fillSmsTemplate(
        spec.text,
        params.map(([k, v]) => [k, render(v)] as [string, string]),
      ),
    template,
  };
}

/** The variant's lines for `template`: one `name: value` per variable, keeping the values already written. */
export function templateLines(template: SmsTemplateView, text: string): string {
  const parsed = parseSmsTemplateParams(text);
  const known = new Map(typeof parsed === 'string' ? [] : parsed);
  return template.variables.map((v) => `${v}: ${known.get(v) ?? ''}`).join('\n');
}
