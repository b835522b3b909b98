import { useId, useRef } from 'react';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { findingText } from '../ui/finding-text.js';
import type { ComposerOptionsQuery } from './composer-documents.js';
import type { ContentDraft } from './draft.js';
import { HighlightedText } from './highlighted-text.js';
import { renderTemplate, type SampleContact } from './render-template.js';
import { SmsTemplatePicker } from './sms-template-picker.js';
import { billedSms, type SmsTemplateView } from './sms-text.js';
import { characterCount, isSmsChannel, smsSegments } from './text-measure.js';
import { useContentCheck } from './use-content-check.js';

type Channel = ResultOf<typeof ComposerOptionsQuery>['channels'][number];

interface ContentEditorProps {
  variant: ContentDraft;
  channels: readonly Channel[];
  sample: SampleContact | null;
  attributeKeys: readonly string[];
  onChange(variant: ContentDraft): void;
  /** The one channel this content is for (a step's own content): named beside each finding. */
  scope?: string;
}

/** Content types whose subject is a title (WeCom link and news cards, the text beside an image or video). */
const TITLED = new Set(['link', 'news', 'image', 'video']);

/** One variant's content: live compliance marks, counters per channel, variables and a sample preview. */
export function ContentEditor({
  variant,
  channels,
  sample,
  attributeKeys,
  onChange,
  scope,
}: ContentEditorProps) {
  const i18n = useI18n();
  const { t, tx, n } = i18n;
  const textId = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const names = channels.map((c) => c.name);
  const { findings, checking, error } = useContentCheck(variant.text, variant.subject, names, variant.type);

  const insert = (variable: string) => {
    const el = area.current;
    const at = el ? el.selectionStart : variant.text.length;
    const end = el ? el.selectionEnd : at;
    onChange({ ...variant, text: `${variant.text.slice(0, at)}${variable}${variant.text.slice(end)}` });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + variable.length, at + variable.length);
    });
  };
  const templates = new Map<string, SmsTemplateView>();
  for (const c of channels) for (const x of c.limits.sms?.templates ?? []) templates.set(x.name, x);
  const render = (s: string) => (sample ? renderTemplate(s, sample) : s);
  const levels = (['BLOCK', 'REVISE', 'WARN'] as const).map(
    (level) => [level, findings.filter((f) => f.level === level).length] as const,
  );

  return (
    <div className="content-editor" data-testid={`variant-${variant.key}`}>
      {channels.some((c) => c.limits.sms) ? (
        <SmsTemplatePicker variant={variant} templates={[...templates.values()]} onChange={onChange} />
      ) : null}
      {channels.some((c) => /email/.test(c.name)) || variant.type === 'email' || TITLED.has(variant.type) ? (
        <label className="field">
          <span>{TITLED.has(variant.type) ? t('composer.title') : t('composer.subject')}</span>
          <input
            data-testid={`content-subject-${variant.key}`}
            value={variant.subject}
            onChange={(e) => onChange({ ...variant, subject: e.target.value })}
          />
        </label>
      ) : null}
      {variant.type !== 'text' ? <p className="muted">{tx(`contentType.hint.${variant.type}`, '')}</p> : null}
      <div className="field">
        <label htmlFor={textId}>{t('composer.text')}</label>
        <textarea
          id={textId}
          ref={area}
          data-testid={`content-text-${variant.key}`}
          value={variant.text}
          onChange={(e) => onChange({ ...variant, text: e.target.value })}
        />
      </div>
      <div className="row variables">
        <span className="muted">{t('composer.insert')}</span>
        {['{{name}}', ...attributeKeys.map((k) => `{{attributes.${k}}}`)].map((v) => (
          <button key={v} type="button" className="button button--ghost" onClick={() => insert(v)}>
            {v}
          </button>
        ))}
      </div>
      <div className="check" aria-live="polite">
        <span className="muted" data-testid="check-status" data-checking={checking}>
          {checking ? t('composer.checking') : t('composer.checked')}
        </span>
        {levels.map(([level, count]) =>
          count > 0 ? (
            <span
              key={level}
              className={`chip level--${level.toLowerCase()}`}
              data-testid={`findings-${level}`}
            >
              {tx(`level.${level}`, level)} × {count}
            </span>
          ) : null,
        )}
      </div>
      {variant.text ? <HighlightedText text={variant.text} findings={findings} /> : null}
      {findings.length > 0 ? (
        <ul className="findings">
          {findings.map((f, i) => (
            <li
              key={`${f.code}:${f.span?.start ?? i}:${f.channel ?? ''}`}
              className={`finding finding--${f.level.toLowerCase()}`}
            >
              <strong>{tx(`level.${f.level}`, f.level)}</strong> {tx(`finding.${f.code}`, f.code)}
              {f.channel || scope ? (
                <span className="muted" data-testid="finding-channel">
                  {' '}
                  · {f.channel ?? scope}
                </span>
              ) : null}
              <div className="muted" data-testid="finding-text">
                {findingText(f, i18n)}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorNotice error={error} />
      <table className="table counters-table">
        <tbody>
          {channels.map((c) => {
            // An SMS channel bills 【sign】 and the filled template, rendered for the sample contact.
            const billed = c.limits.sms ? billedSms(variant, c.limits.sms, render) : null;
            const measured = billed ? billed.text : variant.text;
            const chars = characterCount(measured);
            const sms = billed || isSmsChannel(c.name) ? smsSegments(measured) : null;
            const over = c.limits.maxTextLength !== null && chars > c.limits.maxTextLength;
            return (
              <tr key={c.name} data-testid={`length-${c.name}`} className={over ? 'over' : ''}>
                <th scope="row">{c.name}</th>
                <td>
                  {t('composer.chars', { count: n(chars) })}
                  {c.limits.maxTextLength !== null ? ` / ${n(c.limits.maxTextLength)}` : ''}
                </td>
                <td>
                  {sms
                    ? t('composer.segments', { count: n(sms.segments), encoding: sms.encoding.toUpperCase() })
                    : ''}
                </td>
                <td className="muted" data-testid={`billed-${c.name}`}>
                  {billed ? t('composer.billedAs', { text: billed.text }) : ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {sample && variant.text ? (
        <div className="preview">
          <span className="muted">{t('composer.preview', { name: sample.name ?? '—' })}</span>
          <p data-testid={`preview-${variant.key}`}>{renderTemplate(variant.text, sample)}</p>
        </div>
      ) : null}
    </div>
  );
}
