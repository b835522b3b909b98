import type { CombinedError } from '@urql/core';
import { useCallback, useId, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useClient, useQuery } from 'urql';
import { CampaignQuery } from '../campaigns/campaign-documents.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { AbEditor } from './ab-editor.js';
import { AudienceBuilder } from './audience-builder.js';
import { ChannelContentEditor } from './channel-content-editor.js';
import { ChannelPlanEditor } from './channel-plan-editor.js';
import {
  ComposerOptionsQuery,
  CreateCampaignMutation,
  SubmitForReviewMutation,
  UpdateCampaignMutation,
} from './composer-documents.js';
import { ContentEditor } from './content-editor.js';
import {
  addVariant,
  type ComposerDraft,
  draftFromCampaign,
  emptyDraft,
  planProblem,
  toCampaignInput,
  type VariantDraft,
  withAbTest,
} from './draft.js';
import { attributeKeys, type SampleContact } from './render-template.js';
import { ScheduleEditor } from './schedule-editor.js';
import type { AudiencePreview } from './use-audience-preview.js';

export function ComposerRoute() {
  const { id } = useParams();
  return <ComposerLoader key={id ?? 'new'} id={id ?? null} />;
}

function ComposerLoader({ id }: { id: string | null }) {
  const [options] = useQuery({ query: ComposerOptionsQuery });
  const [campaign] = useQuery({ query: CampaignQuery, variables: { id: id ?? '' }, pause: id === null });
  if (options.error || campaign.error) return <ErrorNotice error={options.error ?? campaign.error ?? null} />;
  if (!options.data || (id !== null && !campaign.data)) return <Loading />;
  const initial = campaign.data
    ? draftFromCampaign(campaign.data.campaign)
    : emptyDraft(options.data.channels[0]?.name ?? null);
  return <Composer id={id} initial={initial} options={options.data} />;
}

type Options = ResultOf<typeof ComposerOptionsQuery>;

/** Compose a campaign: content per variant with live compliance marks, audience, channels, schedule, A/B. */
function Composer({ id, initial, options }: { id: string | null; initial: ComposerDraft; options: Options }) {
  const { t } = useI18n();
  const client = useClient();
  const navigate = useNavigate();
  const nameId = useId();
  const [draft, setDraft] = useState(initial);
  const [savedId, setSavedId] = useState(id);
  const [busy, setBusy] = useState<'save' | 'submit' | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const [saved, setSaved] = useState(false);
  const [sample, setSample] = useState<SampleContact[]>([]);
  const update = (patch: Partial<ComposerDraft>) => {
    setSaved(false);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const onPreview = useCallback((p: AudiencePreview | null) => setSample(p?.sample ?? []), []);

  const problem = planProblem(draft);
  // The plan's channels in its order.
  const steps = draft.plan.flatMap((s) => options.channels.filter((c) => c.name === s.channel));

  const save = async (): Promise<string | null> => {
    setError(null);
    const input = toCampaignInput(draft);
    const result = savedId
      ? await client.mutation(UpdateCampaignMutation, { id: savedId, input }).toPromise()
      : await client.mutation(CreateCampaignMutation, { input }).toPromise();
    const campaign =
      result.data &&
      ('updateCampaign' in result.data ? result.data.updateCampaign : result.data.createCampaign);
    if (result.error || !campaign) {
      setError(result.error ?? null);
      return null;
    }
    if (!savedId) {
      setSavedId(campaign.id);
      navigate(paths.editCampaign(campaign.id), { replace: true });
    }
    setSaved(true);
    return campaign.id;
  };

  const submit = async () => {
    setBusy('submit');
    const campaignId = await save();
    if (campaignId) {
      const result = await client.mutation(SubmitForReviewMutation, { id: campaignId }).toPromise();
      if (result.error) setError(result.error);
      else navigate(paths.campaign(campaignId));
    }
    setBusy(null);
  };

  return (
    <form className="composer" onSubmit={(e) => e.preventDefault()} aria-labelledby="composer-title">
      <div className="screen-head">
        <h1 id="composer-title">{savedId ? t('composer.editTitle') : t('composer.newTitle')}</h1>
      </div>
      <section className="card">
        <label className="field" htmlFor={nameId}>
          {t('composer.name')}
        </label>
        <input
          id={nameId}
          data-testid="campaign-name"
          required
          value={draft.name}
          onChange={(e) => update({ name: e.target.value })}
        />
      </section>
      <section className="card" aria-labelledby="content-title">
        <div className="screen-head">
          <h2 id="content-title">{t('composer.content')}</h2>
          <label>
            <input
              type="checkbox"
              data-testid="ab-enabled"
              checked={draft.abEnabled}
              onChange={(e) => setDraft((d) => withAbTest(d, e.target.checked))}
            />{' '}
            {t('abSetup.enable')}
          </label>
        </div>
        {draft.abEnabled ? <AbEditor ab={draft.ab} onChange={(ab) => update({ ab })} /> : null}
        <div className="variants">
          {draft.variants.map((v, i) => {
            const setVariant = (next: VariantDraft) =>
              update({ variants: draft.variants.map((x, j) => (j === i ? next : x)) });
            // The variant's own content goes to the steps without content of their own.
            const shared = steps.filter((c) => !v.channelContent.some((o) => o.channel === c.name));
            return (
              <div key={v.key} className="variant">
                {draft.abEnabled ? <h3>{t('composer.variant', { key: v.key })}</h3> : null}
                {shared.length < steps.length ? (
                  <p className="muted" data-testid={`shared-by-${v.key}`}>
                    {shared.length > 0
                      ? t('channelContent.sharedBy', { channels: shared.map((c) => c.name).join('、') })
                      : t('channelContent.sharedByNone')}
                  </p>
                ) : null}
                <ContentEditor
                  variant={v}
                  channels={shared}
                  sample={sample[0] ?? null}
                  attributeKeys={attributeKeys(sample)}
                  onChange={(next) => setVariant({ ...v, ...next, key: v.key })}
                />
                <ChannelContentEditor
                  variant={v}
                  steps={steps}
                  sample={sample[0] ?? null}
                  attributeKeys={attributeKeys(sample)}
                  onChange={setVariant}
                />
              </div>
            );
          })}
        </div>
        {draft.abEnabled && draft.variants.length < 3 ? (
          <button type="button" className="button" onClick={() => setDraft(addVariant)}>
            {t('abSetup.addVariant')}
          </button>
        ) : null}
      </section>
      <section className="card" aria-labelledby="audience-title">
        <h2 id="audience-title">{t('composer.audience')}</h2>
        <AudienceBuilder
          model={draft.audience}
          tags={options.tags}
          segments={options.segments}
          excludeDormant={draft.excludeDormant}
          rawAudience={draft.rawAudience}
          onChange={(audience, rawAudience) => update({ audience, rawAudience })}
          onExcludeDormant={(excludeDormant) => update({ excludeDormant })}
          onPreview={onPreview}
        />
      </section>
      <section className="card" aria-labelledby="plan-title">
        <h2 id="plan-title">{t('composer.plan')}</h2>
        <ChannelPlanEditor
          plan={draft.plan}
          mode={draft.channelMode}
          problem={problem}
          channels={options.channels}
          onChange={(plan) => update({ plan })}
          onModeChange={(channelMode) => update({ channelMode })}
        />
      </section>
      <section className="card" aria-labelledby="schedule-title">
        <h2 id="schedule-title">{t('composer.schedule')}</h2>
        <ScheduleEditor
          schedule={draft.schedule}
          pacing={draft.pacing}
          quietHours={draft.quietHours}
          onChange={update}
        />
      </section>
      <section className="card composer__actions">
        <ErrorNotice error={error} />
        {problem ? (
          <p className="alert" data-testid="plan-blocked">
            {t('plan.problem.blocked')}
          </p>
        ) : null}
        {saved ? (
          <p className="muted" role="status" data-testid="saved">
            {t('composer.saved')}
          </p>
        ) : null}
        <div className="actions__buttons">
          <button
            type="button"
            className="button"
            data-testid="save-draft"
            disabled={busy !== null || problem !== null}
            onClick={async () => {
              setBusy('save');
              await save();
              setBusy(null);
            }}
          >
            {t('composer.save')}
          </button>
          <button
            type="button"
            className="button button--primary"
            data-testid="submit-review"
            disabled={busy !== null || problem !== null}
            onClick={() => void submit()}
          >
            {t('composer.submit')}
          </button>
        </div>
      </section>
    </form>
  );
}
