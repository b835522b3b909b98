import { useEffect } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';

/** A campaign's Official Account mass-send jobs with WeChat's totals. */
export const OaJobsQuery = graphql(`
  query CampaignOaJobs($id: ID!) {
    campaign(id: $id) {
      id
      oaJobs {
        channel
        msgId
        recipients
        awaiting
        sent
        failed
        escalated
        totals {
          status
          total
          filteredOut
          sent
          errors
        }
      }
    }
  }
`);

/**
 * WeChat reports an Official Account's mass send per job, never per follower: per job, Qunfa's
 * deliveries in it beside WeChat's own totals (filtered out, sent, errors) once its push came.
 * Re-read when `version` (the live counters) changes.
 */
export function OaJobsPanel({ campaignId, version }: { campaignId: string; version: string }) {
  const { t, n } = useI18n();
  const [{ data }, reread] = useQuery({ query: OaJobsQuery, variables: { id: campaignId } });
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the trigger
  useEffect(() => reread({ requestPolicy: 'network-only' }), [version, reread]);
  const jobs = data?.campaign?.oaJobs ?? [];
  if (jobs.length === 0) return null;
  const cell = (value: number | undefined, testId: string) => (
    <td className="num" data-testid={testId} data-count={value ?? ''}>
      {value === undefined ? '—' : n(value)}
    </td>
  );
  return (
    <section className="card oa-jobs" aria-labelledby="oa-jobs-title" data-testid="oa-jobs-panel">
      <h2 id="oa-jobs-title">{t('oaJobs.title')}</h2>
      <p className="muted">{t('oaJobs.note')}</p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('oaJobs.job')}</th>
              <th scope="col" className="num">
                {t('oaJobs.recipients')}
              </th>
              <th scope="col" className="num">
                {t('oaJobs.awaiting')}
              </th>
              <th scope="col" className="num">
                {t('oaJobs.escalated')}
              </th>
              <th scope="col">{t('oaJobs.status')}</th>
              <th scope="col" className="num">
                {t('oaJobs.total')}
              </th>
              <th scope="col" className="num">
                {t('oaJobs.filteredOut')}
              </th>
              <th scope="col" className="num">
                {t('oaJobs.sent')}
              </th>
              <th scope="col" className="num">
                {t('oaJobs.errors')}
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={`${j.channel}:${j.msgId}`} data-testid="oa-job" data-msg-id={j.msgId}>
                <th scope="row">
                  {j.channel} · {j.msgId}
                </th>
                {cell(j.recipients, 'oa-job-recipients')}
                {cell(j.awaiting, 'oa-job-awaiting')}
                {cell(j.escalated, 'oa-job-escalated')}
                <td>{j.totals ? j.totals.status : t('oaJobs.noPush')}</td>
                {cell(j.totals?.total, 'oa-job-total')}
                {cell(j.totals?.filteredOut, 'oa-job-filtered')}
                {cell(j.totals?.sent, 'oa-job-sent')}
                {cell(j.totals?.errors, 'oa-job-errors')}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
