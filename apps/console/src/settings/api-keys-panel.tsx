import type { CombinedError } from '@urql/core';
import { useId, useState } from 'react';
import { useClient } from 'urql';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import type { Role } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice } from '../ui/error-notice.js';
import {
  IssueApiKeyMutation,
  type MembersQuery,
  RevokeApiKeyMutation,
  ScopeApiKeyMutation,
} from './members-documents.js';
import { ROLES } from './members-panel.js';

type Data = ResultOf<typeof MembersQuery>;
type Key = Data['apiKeys'][number];
type Access = Key['access'];

/** `createCampaign, campaigns` → the list the API takes; empty: every field the role allows (null). */
export function operationsOf(text: string): string[] | null {
  const list = text
    .split(/[\s,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length > 0 ? [...new Set(list)] : null;
}

/** The workspace's API keys: issue one (its secret shown once), scope it, revoke it; when each was last used. */
export function ApiKeysPanel({
  data,
  timeZone,
  onChanged,
}: {
  data: Data;
  timeZone: string;
  onChanged(): void;
}) {
  const { t, tx, locale } = useI18n();
  const client = useClient();
  const id = useId();
  const [issue, setIssue] = useState({
    name: '',
    memberId: '',
    role: 'OPERATOR' as Role,
    access: 'FULL' as Access,
  });
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const memberName = (memberId: string | null) =>
    memberId === null ? null : (data.members.find((m) => m.id === memberId)?.name ?? `#${memberId}`);
  const when = (iso: string | null) => formatDateTime(iso, locale, timeZone);

  const issueKey = async () => {
    const result = await client
      .mutation(IssueApiKeyMutation, {
        input: {
          name: issue.name,
          access: issue.access,
          ...(issue.memberId ? { memberId: issue.memberId } : { role: issue.role }),
        },
      })
      .toPromise();
    setError(result.error ?? null);
    if (!result.data) return;
    setSecret({ name: result.data.issueApiKey.apiKey.name, secret: result.data.issueApiKey.secret });
    setCopied(false);
    setIssue({ ...issue, name: '' });
    onChanged();
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('keys.title')}</h2>
      {secret ? (
        <div className="notice notice--warn" role="alert" data-testid="issued-key">
          <p>
            <strong>{t('keys.onceTitle', { name: secret.name })}</strong> {t('keys.onceBody')}
          </p>
          <p className="row">
            <code className="secret" data-testid="issued-secret">
              {secret.secret}
            </code>
            <button
              type="button"
              className="button"
              onClick={() => void navigator.clipboard?.writeText(secret.secret).then(() => setCopied(true))}
            >
              {copied ? t('keys.copied') : t('keys.copy')}
            </button>
            <button type="button" className="button button--ghost" onClick={() => setSecret(null)}>
              {t('keys.saved')}
            </button>
          </p>
        </div>
      ) : null}
      <div className="table-wrap">
        <table className="table" data-testid="api-keys">
          <thead>
            <tr>
              <th>{t('keys.name')}</th>
              <th>{t('keys.owner')}</th>
              <th>{t('keys.scope')}</th>
              <th>{t('keys.created')}</th>
              <th>{t('keys.lastUsed')}</th>
              <th>
                <span className="visually-hidden">{t('keys.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.apiKeys.map((k) => (
              <KeyRow
                key={k.id}
                apiKey={k}
                owner={memberName(k.memberId)}
                when={when}
                editing={editing === k.id}
                onEdit={(on) => setEditing(on ? k.id : null)}
                onScope={async (input) => {
                  const result = await client.mutation(ScopeApiKeyMutation, { id: k.id, input }).toPromise();
                  setError(result.error ?? null);
                  if (!result.error) {
                    setEditing(null);
                    onChanged();
                  }
                }}
                onRevoke={async () => {
                  const result = await client.mutation(RevokeApiKeyMutation, { id: k.id }).toPromise();
                  setError(result.error ?? null);
                  if (!result.error) onChanged();
                }}
              />
            ))}
          </tbody>
        </table>
      </div>
      <form
        className="row"
        aria-label={t('keys.issue')}
        onSubmit={(e) => {
          e.preventDefault();
          void issueKey();
        }}
      >
        <input
          aria-label={t('keys.name')}
          placeholder={t('keys.namePlaceholder')}
          value={issue.name}
          required
          data-testid="issue-name"
          onChange={(e) => setIssue({ ...issue, name: e.target.value })}
        />
        <select
          aria-label={t('keys.owner')}
          value={issue.memberId}
          data-testid="issue-member"
          onChange={(e) => setIssue({ ...issue, memberId: e.target.value })}
        >
          <option value="">{t('keys.serviceKey')}</option>
          {data.members.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} · {tx(`role.${m.role}`, m.role)}
            </option>
          ))}
        </select>
        {issue.memberId ? null : (
          <select
            aria-label={t('members.role')}
            value={issue.role}
            data-testid="issue-role"
            onChange={(e) => setIssue({ ...issue, role: e.target.value as Role })}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {tx(`role.${r}`, r)}
              </option>
            ))}
          </select>
        )}
        <select
          aria-label={t('keys.access')}
          value={issue.access}
          data-testid="issue-access"
          onChange={(e) => setIssue({ ...issue, access: e.target.value as Access })}
        >
          <option value="FULL">{t('keys.access.FULL')}</option>
          <option value="READ_ONLY">{t('keys.access.READ_ONLY')}</option>
        </select>
        <button
          type="submit"
          className="button button--primary"
          disabled={!issue.name.trim()}
          data-testid="issue-submit"
        >
          {t('keys.issue')}
        </button>
      </form>
      <ErrorNotice error={error} />
    </section>
  );
}

interface ScopeInput {
  access: Access;
  operations: string[] | null;
  rateLimitPerMinute: number | null;
}

function KeyRow({
  apiKey: k,
  owner,
  when,
  editing,
  onEdit,
  onScope,
  onRevoke,
}: {
  apiKey: Key;
  owner: string | null;
  when(iso: string | null): string;
  editing: boolean;
  onEdit(on: boolean): void;
  onScope(input: ScopeInput): void;
  onRevoke(): void;
}) {
  const { t, tx } = useI18n();
  const [scope, setScope] = useState({
    access: k.access,
    operations: (k.operations ?? []).join(', '),
    rate: k.rateLimitPerMinute === null ? '' : String(k.rateLimitPerMinute),
  });
  const revoked = k.revokedAt !== null;
  return (
    <tr
      data-testid="api-key-row"
      data-key-id={k.id}
      data-revoked={revoked}
      className={revoked ? 'muted' : ''}
    >
      <td>
        <strong>{k.name}</strong>
        <br />
        <code className="muted">{k.prefix}…</code>
      </td>
      <td>
        {owner ?? t('keys.serviceKey')}
        <br />
        <span className="muted">{tx(`role.${k.role}`, k.role)}</span>
      </td>
      <td data-testid="api-key-scope">
        {editing ? (
          <div className="stack">
            <select
              aria-label={t('keys.access')}
              value={scope.access}
              data-testid="scope-access"
              onChange={(e) => setScope({ ...scope, access: e.target.value as Access })}
            >
              <option value="FULL">{t('keys.access.FULL')}</option>
              <option value="READ_ONLY">{t('keys.access.READ_ONLY')}</option>
            </select>
            <input
              aria-label={t('keys.operations')}
              placeholder={t('keys.operationsPlaceholder')}
              value={scope.operations}
              data-testid="scope-operations"
              onChange={(e) => setScope({ ...scope, operations: e.target.value })}
            />
            <input
              type="number"
              min={1}
              aria-label={t('keys.rate')}
              placeholder={t('keys.ratePlaceholder')}
              value={scope.rate}
              data-testid="scope-rate"
              onChange={(e) => setScope({ ...scope, rate: e.target.value })}
            />
          </div>
        ) : (
          <>
            {tx(`keys.access.${k.access}`, k.access)}
            <br />
            <span className="muted">
              {k.operations ? k.operations.join(', ') : t('keys.allOperations')}
              {k.rateLimitPerMinute !== null
                ? ` · ${t('keys.perMinute', { count: k.rateLimitPerMinute })}`
                : ''}
            </span>
          </>
        )}
      </td>
      <td className="muted">{when(k.createdAt)}</td>
      <td data-testid="api-key-last-used">{k.lastUsedAt ? when(k.lastUsedAt) : t('keys.neverUsed')}</td>
      <td>
        {revoked ? (
          <span data-testid="api-key-revoked">{t('keys.revokedAt', { time: when(k.revokedAt) })}</span>
        ) : editing ? (
          <span className="row">
            <button
              type="button"
              className="button button--primary"
              data-testid="scope-save"
              onClick={() =>
                onScope({
                  access: scope.access,
                  operations: operationsOf(scope.operations),
                  rateLimitPerMinute: scope.rate.trim() ? Number(scope.rate) : null,
                })
              }
            >
              {t('keys.save')}
            </button>
            <button type="button" className="button button--ghost" onClick={() => onEdit(false)}>
              {t('dialog.back')}
            </button>
          </span>
        ) : (
          <span className="row">
            <button type="button" className="button" data-testid="scope-edit" onClick={() => onEdit(true)}>
              {t('keys.editScope')}
            </button>
            <ConfirmButton
              label={t('keys.revoke')}
              title={t('keys.revokeTitle', { name: k.name })}
              danger
              testId="api-key-revoke"
              onConfirm={onRevoke}
            >
              <p>{t('keys.revokeBody')}</p>
            </ConfirmButton>
          </span>
        )}
      </td>
    </tr>
  );
}
