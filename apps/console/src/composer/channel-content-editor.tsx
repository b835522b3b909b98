import { useId } from 'react';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import type { ComposerOptionsQuery } from './composer-documents.js';
import { ContentEditor } from './content-editor.js';
import type { ChannelContentDraft, VariantDraft } from './draft.js';
import type { SampleContact } from './render-template.js';

type Channel = ResultOf<typeof ComposerOptionsQuery>['channels'][number];

interface ChannelContentEditorProps {
  variant: VariantDraft;
  /** The plan's steps, in order. */
  steps: readonly Channel[];
  sample: SampleContact | null;
  attributeKeys: readonly string[];
  onChange(variant: VariantDraft): void;
}

/** The type a step's own content starts with: the variant's when the channel takes it, else the channel's first. */
function startingType(variant: VariantDraft, channel: Channel): string {
  const types = channel.limits.contentTypes;
  return types.length === 0 || types.includes(variant.type) ? variant.type : types[0]!;
}

/**
 * Content of a plan step's own, per variant: a step ticked sends it instead of the variant's content
 * (an SMS step's template beside WeCom's link card); each is checked for its channel alone and
 * its findings name the channel.
 */
export function ChannelContentEditor({
  variant,
  steps,
  sample,
  attributeKeys,
  onChange,
}: ChannelContentEditorProps) {
  const { t, tx } = useI18n();
  const typeId = useId();
  if (steps.length < 2 && variant.channelContent.length === 0) return null;
  const own = (channel: string) => variant.channelContent.find((c) => c.channel === channel);
  const setOwn = (channel: string, next: ChannelContentDraft | null) =>
    onChange({
      ...variant,
      channelContent: next
        ? steps.flatMap((s) => (s.name === channel ? [next] : (own(s.name) ?? [])))
        : variant.channelContent.filter((c) => c.channel !== channel),
    });
  return (
    <fieldset className="channel-content" data-testid={`channel-content-${variant.key}`}>
      <legend>{t('channelContent.title')}</legend>
      <p className="muted">{t('channelContent.hint')}</p>
      {steps.map((channel) => {
        const content = own(channel.name);
        const key = `${variant.key}:${channel.name}`;
        return (
          <div key={channel.name} className="channel-content__step" data-channel={channel.name}>
            <label>
              <input
                type="checkbox"
                data-testid={`own-content-${key}`}
                checked={content !== undefined}
                onChange={(e) =>
                  setOwn(
                    channel.name,
                    e.target.checked
                      ? {
                          channel: channel.name,
                          type: startingType(variant, channel),
                          subject: variant.subject,
                          text: variant.text,
                        }
                      : null,
                  )
                }
              />{' '}
              {t('channelContent.own', { channel: channel.name })}
            </label>
            {content ? (
              <section
                className="channel-content__editor"
                aria-label={t('channelContent.heading', { channel: channel.name })}
              >
                <h4>{t('channelContent.heading', { channel: channel.name })}</h4>
                {channel.limits.contentTypes.length > 1 ? (
                  <label className="field" htmlFor={`${typeId}-${channel.name}`}>
                    <span>{t('channelContent.type')}</span>
                    <select
                      id={`${typeId}-${channel.name}`}
                      data-testid={`content-type-${key}`}
                      value={content.type}
                      onChange={(e) => setOwn(channel.name, { ...content, type: e.target.value })}
                    >
                      {channel.limits.contentTypes.map((type) => (
                        <option key={type} value={type}>
                          {tx(`contentType.${type}`, type)}
                        </option>
                      ))}
                    </select>
                  </label>
                ) : null}
                <ContentEditor
                  variant={{ ...content, key }}
                  channels={[channel]}
                  sample={sample}
                  attributeKeys={attributeKeys}
                  scope={channel.name}
                  onChange={(next) =>
                    setOwn(channel.name, {
                      channel: channel.name,
                      type: next.type,
                      subject: next.subject,
                      text: next.text,
                    })
                  }
                />
              </section>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
