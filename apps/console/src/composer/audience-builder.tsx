import { useEffect, useState } from 'react';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { type AudienceModel, toAudienceExpression } from './audience.js';
import type { ComposerOptionsQuery } from './composer-documents.js';
import { type AudiencePreview, useAudiencePreview } from './use-audience-preview.js';

type Options = ResultOf<typeof ComposerOptionsQuery>;
type TagChoice = 'include' | 'exclude' | 'none';

interface AudienceBuilderProps {
  model: AudienceModel;
  tags: Options['tags'];
  segments: Options['segments'];
  excludeDormant: boolean;
  /** An expression from elsewhere that this builder cannot show; counted as it is. */
  rawAudience: unknown;
  onChange(model: AudienceModel, rawAudience: unknown): void;
  onExcludeDormant(value: boolean): void;
  onPreview?(preview: AudiencePreview | null): void;
}

const DEVICES = ['', 'ios', 'android', 'harmonyos', 'windows', 'macos', 'other'] as const;

/** Tags (AND / OR, NOT), attributes or a saved segment, with the exact count and suppressions live. */
export function AudienceBuilder(props: AudienceBuilderProps) {
  const { model, tags, segments, excludeDormant, rawAudience, onChange, onExcludeDormant } = props;
  const { t, tx, n } = useI18n();
  const segment = segments.find((s) => s.id === model.segmentId) ?? null;
  const expression = segment ? segment.audience : (rawAudience ?? toAudienceExpression(model));
  const { preview, counting, error } = useAudiencePreview(expression, excludeDormant);
  const { onPreview } = props;
  useEffect(() => onPreview?.(preview), [onPreview, preview]);
  const set = (patch: Partial<AudienceModel>) => onChange({ ...model, ...patch }, null);
  // As typed (a comma is kept while the next owner is written); the model holds the userids.
  const [ownersText, setOwnersText] = useState(model.groupOwners.join(', '));
  // The API says which the expression selects (a segment or a raw expression may ask for groups too).
  const groupAudience = preview
    ? preview.targets === 'GROUP'
    : !segment && !rawAudience && model.targets === 'group';

  const choiceOf = (id: string): TagChoice =>
    model.include.includes(id) ? 'include' : model.exclude.includes(id) ? 'exclude' : 'none';
  const choose = (id: string, choice: TagChoice) =>
    set({
      include:
        choice === 'include'
          ? [...model.include.filter((x) => x !== id), id]
          : model.include.filter((x) => x !== id),
      exclude:
        choice === 'exclude'
          ? [...model.exclude.filter((x) => x !== id), id]
          : model.exclude.filter((x) => x !== id),
    });

  return (
    <div className="audience" data-testid="audience-builder">
      <label className="field">
        <span>{t('audience.segment')}</span>
        <select
          value={model.segmentId ?? ''}
          data-testid="audience-segment"
          onChange={(e) => set({ segmentId: e.target.value || null })}
        >
          <option value="">{t('audience.ownRules')}</option>
          {segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      {segment || rawAudience ? null : (
        <div className="row" role="radiogroup" aria-label={t('audience.targets')}>
          {(['person', 'group'] as const).map((target) => (
            <label key={target}>
              <input
                type="radio"
                name="targets"
                checked={model.targets === target}
                data-testid={`audience-targets-${target}`}
                onChange={() => set({ targets: target })}
              />{' '}
              {t(`audience.targets.${target}`)}
            </label>
          ))}
        </div>
      )}
      {segment ? null : rawAudience ? (
        <div className="notice">
          {t('audience.custom')} <code>{JSON.stringify(rawAudience)}</code>{' '}
          <button type="button" className="button button--ghost" onClick={() => onChange(model, null)}>
            {t('audience.startOver')}
          </button>
        </div>
      ) : (
        <>
          {model.targets === 'group' ? (
            <fieldset className="fieldset" data-testid="audience-groups">
              <legend>{t('audience.groups')}</legend>
              <p className="muted">{t('audience.groupsHint')}</p>
              <div className="row">
                <label className="field">
                  <span>{t('audience.groupOwners')}</span>
                  <input
                    value={ownersText}
                    placeholder="zhouba, wujiu"
                    data-testid="audience-group-owners"
                    onChange={(e) => {
                      setOwnersText(e.target.value);
                      set({ groupOwners: e.target.value.split(/[,，\s]+/).filter(Boolean) });
                    }}
                  />
                </label>
                <label className="field">
                  <span>{t('audience.groupName')}</span>
                  <input
                    value={model.groupName}
                    data-testid="audience-group-name"
                    onChange={(e) => set({ groupName: e.target.value })}
                  />
                </label>
              </div>
            </fieldset>
          ) : null}
          <fieldset className="fieldset">
            <legend>{t('audience.tags')}</legend>
            <div className="row" role="radiogroup" aria-label={t('audience.combine')}>
              {(['or', 'and'] as const).map((c) => (
                <label key={c}>
                  <input
                    type="radio"
                    name="combine"
                    checked={model.combine === c}
                    data-testid={`audience-combine-${c}`}
                    onChange={() => set({ combine: c })}
                  />{' '}
                  {t(`audience.combine.${c}`)}
                </label>
              ))}
            </div>
            {tags.length === 0 ? <p className="muted">{t('audience.noTags')}</p> : null}
            <ul className="tag-choices">
              {tags.map((tag) => (
                <li key={tag.id} data-testid={`audience-tag-${tag.name}`}>
                  <span>{tag.name}</span>
                  <select
                    aria-label={tag.name}
                    value={choiceOf(tag.id)}
                    className={`choice--${choiceOf(tag.id)}`}
                    onChange={(e) => choose(tag.id, e.target.value as TagChoice)}
                  >
                    <option value="none">{t('audience.tagNone')}</option>
                    <option value="include">{t('audience.tagInclude')}</option>
                    <option value="exclude">{t('audience.tagExclude')}</option>
                  </select>
                </li>
              ))}
            </ul>
          </fieldset>
          {model.targets === 'group' ? null : (
            <fieldset className="fieldset">
              <legend>{t('audience.attributes')}</legend>
              <div className="row">
                <label className="field">
                  <span>{t('audience.province')}</span>
                  <input value={model.province} onChange={(e) => set({ province: e.target.value })} />
                </label>
                <label className="field">
                  <span>{t('audience.city')}</span>
                  <input value={model.city} onChange={(e) => set({ city: e.target.value })} />
                </label>
                <label className="field">
                  <span>{t('audience.device')}</span>
                  <select value={model.device} onChange={(e) => set({ device: e.target.value })}>
                    {DEVICES.map((d) => (
                      <option key={d} value={d}>
                        {d === '' ? t('audience.any') : d}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="field">
                  <span>{t('audience.activeWithinDays')}</span>
                  <input
                    type="number"
                    min={0}
                    value={model.activeWithinDays ?? ''}
                    onChange={(e) =>
                      set({ activeWithinDays: e.target.value === '' ? null : Number(e.target.value) })
                    }
                  />
                </label>
              </div>
              {model.attributes.map((a, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: attribute rows have no identity of their own; a row is edited in place
                <div className="row" key={`attr-${i}`}>
                  <input
                    aria-label={t('audience.attributeKey')}
                    placeholder={t('audience.attributeKey')}
                    value={a.key}
                    onChange={(e) =>
                      set({
                        attributes: model.attributes.map((x, j) =>
                          j === i ? { ...x, key: e.target.value } : x,
                        ),
                      })
                    }
                  />
                  <span>=</span>
                  <input
                    aria-label={t('audience.attributeValue')}
                    placeholder={t('audience.attributeValue')}
                    value={a.value}
                    onChange={(e) =>
                      set({
                        attributes: model.attributes.map((x, j) =>
                          j === i ? { ...x, value: e.target.value } : x,
                        ),
                      })
                    }
                  />
                  <button
                    type="button"
                    className="button button--ghost"
                    onClick={() => set({ attributes: model.attributes.filter((_, j) => j !== i) })}
                  >
                    {t('composer.remove')}
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="button button--ghost"
                onClick={() => set({ attributes: [...model.attributes, { key: '', value: '' }] })}
              >
                {t('audience.addAttribute')}
              </button>
            </fieldset>
          )}
        </>
      )}
      {groupAudience ? null : (
        <label>
          <input
            type="checkbox"
            checked={excludeDormant}
            onChange={(e) => onExcludeDormant(e.target.checked)}
          />{' '}
          {t('audience.excludeDormant')}
        </label>
      )}
      <div
        className="audience-count"
        aria-live="polite"
        data-testid="audience-count"
        data-counting={counting}
        data-sendable={preview?.sendable ?? ''}
      >
        {preview ? (
          <>
            <strong>
              {t(groupAudience ? 'audience.sendableGroups' : 'audience.sendable', {
                count: n(preview.sendable),
              })}
            </strong>{' '}
            <span className="muted">
              {t(groupAudience ? 'audience.matchedGroups' : 'audience.matched', {
                matched: n(preview.matched),
                suppressed: n(preview.suppressedTotal),
              })}
            </span>
            {preview.groupSample.length > 0 ? (
              <ul className="muted" data-testid="audience-group-sample">
                {preview.groupSample.map((g) => (
                  <li key={g.id}>
                    {t('audience.groupSample', {
                      name: g.name ?? g.id,
                      owner: g.owner ?? '—',
                      members: g.memberCount === null ? '—' : n(g.memberCount),
                    })}
                  </li>
                ))}
              </ul>
            ) : null}
            {preview.suppressed.length > 0 ? (
              <ul className="suppressed">
                {preview.suppressed.map((s) => (
                  <li key={s.reason} data-testid={`suppressed-${s.reason}`}>
                    {tx(`suppression.${s.reason}`, s.reason)}: {n(s.count)}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : (
          <span className="muted">{t('audience.counting')}</span>
        )}
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}
