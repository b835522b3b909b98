import type { CombinedError } from '@urql/core';
import { useId, useState } from 'react';
import { useClient } from 'urql';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import type { Role } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { ChangeMemberRoleMutation, InviteMemberMutation, type MembersQuery } from './members-documents.js';

export const ROLES: readonly Role[] = ['ADMIN', 'OPERATOR', 'APPROVER', 'VIEWER'];
type Member = ResultOf<typeof MembersQuery>['members'][number];

/** The workspace's members: invite one, change a role (their keys take it at once). */
export function MembersPanel({
  members,
  timeZone,
  onChanged,
}: {
  members: readonly Member[];
  timeZone: string;
  onChanged(): void;
}) {
  const { t, tx, locale } = useI18n();
  const client = useClient();
  const [invite, setInvite] = useState({ name: '', email: '', role: 'OPERATOR' as Role });
  const [error, setError] = useState<CombinedError | null>(null);
  const [status, setStatus] = useState('');
  const id = useId();
  const done = (result: { error?: CombinedError | undefined }, message: string) => {
    setError(result.error ?? null);
    if (result.error) return false;
    setStatus(message);
    onChanged();
    return true;
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('members.title')}</h2>
      <table className="table" data-testid="members">
        <thead>
          <tr>
            <th>{t('members.name')}</th>
            <th>{t('members.email')}</th>
            <th>{t('members.role')}</th>
            <th>{t('members.since')}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id} data-testid="member-row" data-member-id={m.id}>
              <td>{m.name}</td>
              <td>{m.email ?? '—'}</td>
              <td>
                <select
                  aria-label={t('members.roleOf', { name: m.name })}
                  value={m.role}
                  data-testid="member-role"
                  onChange={async (e) => {
                    const role = e.target.value as Role;
                    done(
                      await client.mutation(ChangeMemberRoleMutation, { id: m.id, role }).toPromise(),
                      t('members.roleChanged', { name: m.name, role: tx(`role.${role}`, role) }),
                    );
                  }}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {tx(`role.${r}`, r)}
                    </option>
                  ))}
                </select>
              </td>
              <td className="muted">{formatDateTime(m.createdAt, locale, timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {members.length === 0 ? <p className="muted">{t('members.none')}</p> : null}
      <form
        className="row"
        aria-label={t('members.invite')}
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = done(
            await client
              .mutation(InviteMemberMutation, {
                input: { name: invite.name, email: invite.email.trim() || null, role: invite.role },
              })
              .toPromise(),
            t('members.invited', { name: invite.name.trim() }),
          );
          if (ok) setInvite({ ...invite, name: '', email: '' });
        }}
      >
        <input
          aria-label={t('members.name')}
          placeholder={t('members.name')}
          value={invite.name}
          required
          data-testid="invite-name"
          onChange={(e) => setInvite({ ...invite, name: e.target.value })}
        />
        <input
          type="email"
          aria-label={t('members.email')}
          placeholder={t('members.emailOptional')}
          value={invite.email}
          data-testid="invite-email"
          onChange={(e) => setInvite({ ...invite, email: e.target.value })}
        />
        <select
          aria-label={t('members.role')}
          value={invite.role}
          data-testid="invite-role"
          onChange={(e) => setInvite({ ...invite, role: e.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {tx(`role.${r}`, r)}
            </option>
          ))}
        </select>
        <button
          type="submit"
          className="button button--primary"
          disabled={!invite.name.trim()}
          data-testid="invite-submit"
        >
          {t('members.invite')}
        </button>
      </form>
      <p className="muted">{t('members.roleNote')}</p>
      {status ? (
        <p role="status" data-testid="members-status">
          {status}
        </p>
      ) : null}
      <ErrorNotice error={error} />
    </section>
  );
}
