import type { CombinedError } from '@urql/core';
import { useEffect, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { useI18n } from '../i18n/locale-context.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { MembersAndKeys } from './members-and-keys.js';
import {
  CreateApprovalPolicyMutation,
  DeleteApprovalPolicyMutation,
  SetOpenPixelMutation,
  SettingsQuery,
  SetWorkspaceQuietHoursMutation,
} from './settings-documents.js';

type Mode = 'INHERIT' | 'OFF' | 'WINDOW';

/** Admin settings: the workspace's quiet hours, e-mail open tracking, its approval policies, members and API keys. */
export function SettingsPage() {
  const { t, tx } = useI18n();
  const client = useClient();
  const [{ data, error, fetching }, refetch] = useQuery({ query: SettingsQuery });
  const [quiet, setQuiet] = useState<{ mode: Mode; start: string; end: string }>({
    mode: 'INHERIT',
    start: '22:00',
    end: '08:00',
  });
  const [policy, setPolicy] = useState({ name: '', audienceOver: '', onRevise: true, steps: '业务, 法务' });
  const [actionError, setActionError] = useState<CombinedError | null>(null);
  const [saved, setSaved] = useState(false);
  const current = data?.viewer.workspace.quietHours;
  useEffect(() => {
    if (current)
      setQuiet({ mode: current.mode, start: current.start ?? '22:00', end: current.end ?? '08:00' });
  }, [current]);

  if (error) return <ErrorNotice error={error} />;
  if (!data) return fetching ? <Loading /> : null;
  const admin = data.viewer.role === 'ADMIN';
  const after = (result: { error?: CombinedError | undefined }) => {
    setActionError(result.error ?? null);
    if (!result.error) {
      setSaved(true);
      refetch({ requestPolicy: 'network-only' });
    }
  };
  const saveQuiet = async () =>
    after(
      await client
        .mutation(SetWorkspaceQuietHoursMutation, {
          input: quiet.mode === 'WINDOW' ? quiet : { mode: quiet.mode },
        })
        .toPromise(),
    );
  const addPolicy = async () =>
    after(
      await client
        .mutation(CreateApprovalPolicyMutation, {
          input: {
            name: policy.name,
            onRevise: policy.onRevise,
            audienceOver: policy.audienceOver ? Number(policy.audienceOver) : null,
            steps: policy.steps
              .split(/[,，]/)
              .map((s) => s.trim())
              .filter(Boolean),
          },
        })
        .toPromise(),
    );

  return (
    <div>
      <section className="card" aria-labelledby="quiet-title">
        <h1 id="quiet-title">{t('settings.title')}</h1>
        <h2>{t('quiet.title')}</h2>
        <p className="muted">
          {t('settings.quietNow')} {tx(`quiet.mode.${data.viewer.workspace.quietHours.mode}`, '')}
          {data.viewer.workspace.quietHours.enabled
            ? ` ${data.viewer.workspace.quietHours.start}–${data.viewer.workspace.quietHours.end}`
            : ` · ${t('settings.quietOff')}`}{' '}
          · {data.viewer.workspace.timeZone}
        </p>
        <div className="row">
          <select
            aria-label={t('quiet.title')}
            value={quiet.mode}
            disabled={!admin}
            data-testid="settings-quiet-mode"
            onChange={(e) => setQuiet({ ...quiet, mode: e.target.value as Mode })}
          >
            {(['INHERIT', 'OFF', 'WINDOW'] as const).map((m) => (
              <option key={m} value={m}>
                {tx(`quiet.mode.${m}`, m)}
              </option>
            ))}
          </select>
          {quiet.mode === 'WINDOW' ? (
            <>
              <input
                type="time"
                aria-label={t('quiet.start')}
                value={quiet.start}
                disabled={!admin}
                onChange={(e) => setQuiet({ ...quiet, start: e.target.value })}
              />
              <input
                type="time"
                aria-label={t('quiet.end')}
                value={quiet.end}
                disabled={!admin}
                onChange={(e) => setQuiet({ ...quiet, end: e.target.value })}
              />
            </>
          ) : null}
          <button
            type="button"
            className="button button--primary"
            disabled={!admin}
            data-testid="settings-quiet-save"
            onClick={() => void saveQuiet()}
          >
            {t('settings.save')}
          </button>
        </div>
        {admin ? null : <p className="muted">{t('settings.adminOnly')}</p>}
        {saved ? <p role="status">{t('settings.saved')}</p> : null}
      </section>
      <section className="card" aria-labelledby="open-pixel-title">
        <h2 id="open-pixel-title">{t('settings.openPixel')}</h2>
        <label>
          <input
            type="checkbox"
            checked={data.viewer.workspace.openPixel}
            disabled={!admin}
            data-testid="settings-open-pixel"
            onChange={async (e) =>
              after(await client.mutation(SetOpenPixelMutation, { on: e.target.checked }).toPromise())
            }
          />{' '}
          {t('settings.openPixelLabel')}
        </label>
        <p className="muted">{t('settings.openPixelHint')}</p>
      </section>
      <section className="card" aria-labelledby="policies-title">
        <h2 id="policies-title">{t('settings.policies')}</h2>
        {data.approvalPolicies.length === 0 ? <p className="muted">{t('settings.defaultPolicy')}</p> : null}
        <ul>
          {data.approvalPolicies.map((p) => (
            <li key={p.id}>
              <strong>{p.name}</strong> · {p.steps.join(' → ')}
              {p.audienceOver !== null ? ` · ${t('settings.audienceOver', { count: p.audienceOver })}` : ''}
              {p.onRevise ? ` · ${t('settings.onRevise')}` : ''}
              {p.channels.length ? ` · ${p.channels.join(', ')}` : ''}
              {admin ? (
                <ConfirmButton
                  label={t('settings.delete')}
                  title={t('settings.deleteTitle', { name: p.name })}
                  danger
                  testId={`policy-delete-${p.id}`}
                  onConfirm={async () =>
                    after(await client.mutation(DeleteApprovalPolicyMutation, { id: p.id }).toPromise())
                  }
                />
              ) : null}
            </li>
          ))}
        </ul>
        {admin ? (
          <div className="row">
            <input
              aria-label={t('settings.policyName')}
              placeholder={t('settings.policyName')}
              value={policy.name}
              onChange={(e) => setPolicy({ ...policy, name: e.target.value })}
            />
            <input
              aria-label={t('settings.audienceOverLabel')}
              placeholder={t('settings.audienceOverLabel')}
              type="number"
              value={policy.audienceOver}
              onChange={(e) => setPolicy({ ...policy, audienceOver: e.target.value })}
            />
            <input
              aria-label={t('settings.steps')}
              placeholder={t('settings.steps')}
              value={policy.steps}
              onChange={(e) => setPolicy({ ...policy, steps: e.target.value })}
            />
            <label>
              <input
                type="checkbox"
                checked={policy.onRevise}
                onChange={(e) => setPolicy({ ...policy, onRevise: e.target.checked })}
              />{' '}
              {t('settings.onRevise')}
            </label>
            <button
              type="button"
              className="button"
              disabled={!policy.name.trim()}
              onClick={() => void addPolicy()}
            >
              {t('settings.addPolicy')}
            </button>
          </div>
        ) : null}
        <ErrorNotice error={actionError} />
      </section>
      {admin ? (
        <MembersAndKeys timeZone={data.viewer.workspace.timeZone} />
      ) : (
        <section className="card">
          <h2>{t('members.title')}</h2>
          <p className="muted">{t('keys.adminOnly')}</p>
        </section>
      )}
    </div>
  );
}
