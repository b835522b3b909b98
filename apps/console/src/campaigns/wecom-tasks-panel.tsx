import type { CombinedError } from '@urql/core';
import { useEffect, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { graphql, type ResultOf } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';
import { deadlineOf } from '../inbox/deadline.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { ErrorNotice } from '../ui/error-notice.js';
import { useNow } from '../ui/use-now.js';

const WecomTaskFields = graphql(`
  fragment WecomTaskFields on WecomTask @_unmask {
    channel
    sender
    msgid
    state
    createdAt
    deadlineAt
    remindersLeft
    recipients
    awaiting
    delivered
    filtered
    failed
    escalated
  }
`);

/** A campaign's WeCom customer mass-send tasks, one per sender. */
export const WecomTasksQuery = graphql(
  `
  query CampaignWecomTasks($id: ID!) {
    campaign(id: $id) {
      id
      wecomTasks {
        ...WecomTaskFields
      }
    }
  }
`,
  [WecomTaskFields],
);

export const RemindWecomTaskMutation = graphql(
  `
  mutation RemindWecomTask($input: WecomTaskInput!) {
    remindWecomTask(input: $input) {
      ...WecomTaskFields
    }
  }
`,
  [WecomTaskFields],
);

export const CancelWecomTaskMutation = graphql(
  `
  mutation CancelWecomTask($input: WecomTaskInput!) {
    cancelWecomTask(input: $input) {
      ...WecomTaskFields
    }
  }
`,
  [WecomTaskFields],
);

type Task = ResultOf<typeof WecomTaskFields>;

/** A task its sender has not confirmed yet: it can be reminded or cancelled. */
const open = (task: Task) => task.state === 'WAITING';

/** How often the tasks are re-read while one waits for its sender (WeCom is polled by the channel). */
const POLL_MS = 5_000;

/**
 * Per staff sender, their customer mass-send task: whether they confirmed it, the deadline that
 * cancels it, where its customers are (waiting, delivered, capped, failed, moved on), and a
 * reminder or a cancel for one still waiting. Re-read when `version` (the live counters) changes,
 * and every few seconds while a task waits.
 */
export function WecomTasksPanel({
  campaignId,
  version,
  onChanged,
}: {
  campaignId: string;
  version: string;
  /**
   * A task moved (confirmed, results in, cancelled): the campaign's counters moved with it, and no
   * progress event may say so (a cancel's failures reached the page only on a reload): re-read it.
   */
  onChanged(): void;
}) {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const client = useClient();
  const [{ data }, reread] = useQuery({ query: WecomTasksQuery, variables: { id: campaignId } });
  const [error, setError] = useState<CombinedError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const tasks = data?.campaign?.wecomTasks ?? [];
  const waiting = tasks.some(open);
  const nowMs = useNow(POLL_MS, waiting);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version and the clock are the triggers
  useEffect(() => reread({ requestPolicy: 'network-only' }), [version, nowMs, reread]);
  const signature = tasks
    .map((x) => `${x.msgid}:${x.state}:${x.awaiting}:${x.delivered}:${x.filtered}:${x.failed}:${x.escalated}`)
    .join('|');
  const seen = useRef<string | null>(null);
  useEffect(() => {
    if (seen.current !== null && seen.current !== signature) onChanged();
    seen.current = signature;
  }, [signature, onChanged]);
  if (tasks.length === 0) return null;
  const canAct = viewer.role !== 'VIEWER';
  const timeZone = viewer.workspace.timeZone;

  const act = async (task: Task, action: 'remind' | 'cancel') => {
    setBusy(`${action}:${task.msgid}`);
    setError(null);
    setNotice(null);
    const input = { campaignId, channel: task.channel, msgid: task.msgid };
    const result =
      action === 'remind'
        ? await client.mutation(RemindWecomTaskMutation, { input }).toPromise()
        : await client.mutation(CancelWecomTaskMutation, { input }).toPromise();
    setBusy(null);
    if (result.error) setError(result.error);
    else if (action === 'remind') setNotice(t('wecomTasks.reminded', { sender: task.sender }));
    reread({ requestPolicy: 'network-only' });
  };

  const count = (value: number, testId: string) => (
    <td className="num" data-testid={testId} data-count={value}>
      {n(value)}
    </td>
  );
  return (
    <section className="card wecom-tasks" aria-labelledby="wecom-tasks-title" data-testid="wecom-tasks-panel">
      <h2 id="wecom-tasks-title">{t('wecomTasks.title')}</h2>
      <p className="muted">{t('wecomTasks.note')}</p>
      <ErrorNotice error={error} />
      {notice ? (
        <p role="status" className="muted" data-testid="wecom-task-notice">
          {notice}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('wecomTasks.sender')}</th>
              <th scope="col">{t('wecomTasks.state')}</th>
              <th scope="col">{t('wecomTasks.deadline')}</th>
              <th scope="col" className="num">
                {t('wecomTasks.recipients')}
              </th>
              <th scope="col" className="num">
                {t('wecomTasks.awaiting')}
              </th>
              <th scope="col" className="num">
                {t('wecomTasks.delivered')}
              </th>
              <th scope="col" className="num">
                {t('wecomTasks.filtered')}
              </th>
              <th scope="col" className="num">
                {t('wecomTasks.failed')}
              </th>
              <th scope="col" className="num">
                {t('wecomTasks.escalated')}
              </th>
              {canAct ? <th scope="col">{t('wecomTasks.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => {
              const deadline = deadlineOf(task.deadlineAt, false, open(task), nowMs);
              return (
                <tr
                  key={`${task.channel}:${task.msgid}`}
                  data-testid="wecom-task"
                  data-sender={task.sender}
                  data-state={task.state}
                >
                  <th scope="row">
                    {task.sender}
                    <div className="muted">{task.channel}</div>
                  </th>
                  <td>
                    <span className={`wecom-task-state wecom-task-state--${task.state.toLowerCase()}`}>
                      {tx(`wecomTasks.state.${task.state}`, task.state)}
                    </span>
                  </td>
                  <td data-testid="wecom-task-deadline" data-kind={deadline.kind}>
                    {deadline.kind === 'due'
                      ? t('wecomTasks.dueIn', {
                          minutes: n(deadline.minutes),
                          time: formatDateTime(task.deadlineAt, locale, timeZone),
                        })
                      : deadline.kind === 'overdue'
                        ? t('wecomTasks.overdue', { minutes: n(deadline.minutes) })
                        : open(task)
                          ? t('wecomTasks.noDeadline')
                          : '—'}
                  </td>
                  {count(task.recipients, 'wecom-task-recipients')}
                  {count(task.awaiting, 'wecom-task-awaiting')}
                  {count(task.delivered, 'wecom-task-delivered')}
                  {count(task.filtered, 'wecom-task-filtered')}
                  {count(task.failed, 'wecom-task-failed')}
                  {count(task.escalated, 'wecom-task-escalated')}
                  {canAct ? (
                    <td>
                      {open(task) ? (
                        <div className="wecom-task-actions">
                          <button
                            type="button"
                            className="button"
                            data-testid="wecom-task-remind"
                            disabled={busy !== null || task.remindersLeft <= 0}
                            onClick={() => void act(task, 'remind')}
                          >
                            {t('wecomTasks.remind', { count: n(Math.max(0, task.remindersLeft)) })}
                          </button>
                          <ConfirmButton
                            label={t('wecomTasks.cancel')}
                            title={t('wecomTasks.cancelTitle', { sender: task.sender })}
                            danger
                            disabled={busy !== null}
                            testId="wecom-task-cancel"
                            onConfirm={() => void act(task, 'cancel')}
                          >
                            <p>{t('wecomTasks.cancelBody', { count: n(task.awaiting) })}</p>
                          </ConfirmButton>
                        </div>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
