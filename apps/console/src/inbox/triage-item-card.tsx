import type { CombinedError } from '@urql/core';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { useClient } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import type { ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { paths } from '../routing/paths.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { deadlineOf } from './deadline.js';
import {
  AssignTriageItemMutation,
  ReopenTriageItemMutation,
  ReplyToTriageItemMutation,
  ResolveTriageItemMutation,
  type TriageItemFields,
  UnassignTriageItemMutation,
} from './triage-documents.js';

export type TriageItem = ResultOf<typeof TriageItemFields>;

const OPEN = new Set(['NEW', 'ASSIGNED']);

/** One reply to triage: who said what, its class and priority, the deadline, and what to do about it. */
export function TriageItemCard({
  item,
  nowMs,
  handled = false,
  onChanged,
}: {
  item: TriageItem;
  nowMs: number;
  /** Handled here and no longer of the current view: shown dimmed until the view changes. */
  handled?: boolean;
  onChanged(item: TriageItem): void;
}) {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const client = useClient();
  const ids = useId();
  const [assignee, setAssignee] = useState(item.assignee ?? viewer.keyName);
  const [reply, setReply] = useState('');
  // One idempotency key per reply being written: a retried click never sends twice.
  const [replyKey, setReplyKey] = useState(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CombinedError | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const canAct = viewer.role !== 'VIEWER';
  const deadline = deadlineOf(item.dueAt, item.overdue, OPEN.has(item.status), nowMs);
  const zone = viewer.workspace.timeZone;

  const run = async <T,>(
    action: () => Promise<{ error?: CombinedError; data?: T }>,
    pick: (data: T) => TriageItem,
  ) => {
    setBusy(true);
    setError(null);
    const result = await action();
    setBusy(false);
    if (result.error || !result.data) {
      setError(result.error ?? null);
      return false;
    }
    onChanged(pick(result.data));
    return true;
  };

  const sendReply = async () => {
    const ok = await run(
      () =>
        client
          .mutation(ReplyToTriageItemMutation, { id: item.id, text: reply, idempotencyKey: replyKey })
          .toPromise(),
      (d) => {
        setSent(d.replyToTriageItem.reply.status);
        return d.replyToTriageItem.item;
      },
    );
    if (ok) {
      setReply('');
      setReplyKey(crypto.randomUUID());
    }
  };

  return (
    <li
      className={`triage-item triage-item--${item.priority.toLowerCase()}${deadline.kind === 'overdue' ? ' triage-item--overdue' : ''}${handled ? ' triage-item--handled' : ''}`}
      data-testid="triage-item"
      data-id={item.id}
      data-handled={handled}
      data-status={item.status}
      data-overdue={deadline.kind === 'overdue'}
      aria-labelledby={`${ids}-head`}
    >
      {handled ? (
        <p className="muted" data-testid="triage-handled">
          {t('triage.handled', { status: tx(`triageStatus.${item.status}`, item.status) })}
        </p>
      ) : null}
      <div className="triage-item__head" id={`${ids}-head`}>
        <span className={`priority priority--${item.priority.toLowerCase()}`} data-testid="triage-priority">
          {tx(`triagePriority.${item.priority}`, item.priority)}
        </span>
        <strong data-testid="triage-label">{tx(`replyClass.${item.label}`, item.label)}</strong>
        <span className="muted" data-testid="triage-status">
          {tx(`triageStatus.${item.status}`, item.status)}
          {item.assignee ? ` · ${t('triage.assignedTo', { name: item.assignee })}` : ''}
        </span>
        {deadline.kind === 'overdue' ? (
          <span className="triage-deadline triage-deadline--overdue" data-testid="triage-overdue">
            {t('triage.overdue', { minutes: n(deadline.minutes) })}
          </span>
        ) : null}
        {deadline.kind === 'due' ? (
          <span className="triage-deadline" data-testid="triage-due">
            {t('triage.dueIn', { minutes: n(deadline.minutes) })}
          </span>
        ) : null}
      </div>
      <blockquote className="triage-item__text" data-testid="triage-text">
        {item.message.text}
      </blockquote>
      <p className="muted triage-item__meta">
        <Link to={paths.contact(item.contactId)}>{item.message.contact?.name ?? item.contactId}</Link> ·{' '}
        {item.message.channel}
        {item.message.account ? ` · ${item.message.account}` : ''} ·{' '}
        {formatDateTime(item.message.receivedAt, locale, zone)}
        {item.campaignId ? (
          <>
            {' '}
            ·{' '}
            <Link to={paths.campaign(item.campaignId)}>{t('triage.campaign', { id: item.campaignId })}</Link>
          </>
        ) : null}
        {item.message.unsubscribed ? <strong> · {t('inbox.unsubscribed')}</strong> : null}
      </p>
      {canAct ? (
        <div className="triage-item__actions">
          {item.status !== 'RESOLVED' ? (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void run(
                  () => client.mutation(AssignTriageItemMutation, { id: item.id, assignee }).toPromise(),
                  (d) => d.assignTriageItem,
                );
              }}
            >
              <label htmlFor={`${ids}-assignee`}>{t('triage.assignee')}</label>
              <input
                id={`${ids}-assignee`}
                value={assignee}
                onChange={(e) => setAssignee(e.target.value)}
                data-testid="triage-assignee"
                maxLength={128}
              />
              <button
                type="submit"
                className="button button--ghost"
                disabled={busy}
                data-testid="triage-assign"
              >
                {t('triage.assign')}
              </button>
              {item.status === 'ASSIGNED' ? (
                <button
                  type="button"
                  className="button button--ghost"
                  disabled={busy}
                  data-testid="triage-unassign"
                  onClick={() =>
                    void run(
                      () => client.mutation(UnassignTriageItemMutation, { id: item.id }).toPromise(),
                      (d) => d.unassignTriageItem,
                    )
                  }
                >
                  {t('triage.unassign')}
                </button>
              ) : null}
            </form>
          ) : null}
          {item.replies.length > 0 ? (
            <ol className="triage-replies" aria-label={t('triage.repliesSent')} data-testid="triage-replies">
              {item.replies.map((r) => (
                <li key={r.id} data-testid="triage-sent-reply" data-status={r.status}>
                  <span>{r.text}</span>{' '}
                  <span className="muted">
                    · {tx(`triage.replyStatus.${r.status}`, r.status)} ·{' '}
                    {formatDateTime(r.sentAt ?? r.createdAt, locale, viewer.workspace.timeZone)}
                  </span>
                </li>
              ))}
            </ol>
          ) : null}
          {item.status !== 'RESOLVED' ? (
            <form
              className="triage-reply"
              onSubmit={(e) => {
                e.preventDefault();
                if (reply.trim()) void sendReply();
              }}
            >
              <label htmlFor={`${ids}-reply`}>{t('triage.reply')}</label>
              <textarea
                id={`${ids}-reply`}
                rows={2}
                value={reply}
                onChange={(e) => setReply(e.target.value)}
                data-testid="triage-reply-text"
              />
              <button
                type="submit"
                className="button"
                disabled={busy || !reply.trim()}
                data-testid="triage-reply-send"
              >
                {t('triage.send', { channel: item.message.channel })}
              </button>
              {sent ? (
                <span className="muted" role="status" data-testid="triage-reply-status" data-status={sent}>
                  {tx(`triage.replyStatus.${sent}`, sent)}
                </span>
              ) : null}
            </form>
          ) : null}
          <div className="actions__buttons">
            {item.status !== 'RESOLVED' ? (
              <button
                type="button"
                className="button button--ghost"
                disabled={busy}
                data-testid="triage-resolve"
                onClick={() =>
                  void run(
                    () => client.mutation(ResolveTriageItemMutation, { id: item.id }).toPromise(),
                    (d) => d.resolveTriageItem,
                  )
                }
              >
                {t('triage.resolve')}
              </button>
            ) : null}
            {item.status === 'RESOLVED' || item.status === 'REPLIED' ? (
              <button
                type="button"
                className="button button--ghost"
                disabled={busy}
                data-testid="triage-reopen"
                onClick={() =>
                  void run(
                    () => client.mutation(ReopenTriageItemMutation, { id: item.id }).toPromise(),
                    (d) => d.reopenTriageItem,
                  )
                }
              >
                {t('triage.reopen')}
              </button>
            ) : null}
          </div>
          <ErrorNotice error={error} />
        </div>
      ) : null}
    </li>
  );
}
