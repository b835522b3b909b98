import { Fragment } from 'react';
import { useI18n } from '../i18n/locale-context.js';
import { QuotaMeter } from '../ui/quota-meter.js';
import type { ChannelQuotaRow, SenderRow } from './breakdown-documents.js';
import { ProgressBar } from './progress-bar.js';
import { channelTotals, type SenderFigures } from './sender-totals.js';

const COLUMNS = ['planned', 'sent', 'delivered', 'failed', 'pending', 'other'] as const;

/**
 * Per channel, then per sender account under it: each recipient counted once, where it is now,
 * beside the account's daily quota used and left today (all campaigns').
 */
export function SendersPanel({
  senders,
  quotas,
}: {
  senders: readonly SenderRow[] | null;
  quotas: readonly ChannelQuotaRow[];
}) {
  const { t, n } = useI18n();
  if (!senders || senders.length === 0) return null;
  const channels = channelTotals(senders);
  const cells = (f: SenderFigures, testId: string) =>
    COLUMNS.map((c) => (
      <td key={c} className={`num sender-${c}`} data-testid={`${testId}-${c}`} data-count={f[c]}>
        {n(f[c])}
      </td>
    ));
  const channelName = (channel: string | null) => (channel === null ? t('senders.noChannel') : channel);
  const quotaCell = (channel: string | null, account: string | null | undefined, testId: string) => {
    const row = quotas.find((q) => q.name === channel);
    if (!row) return <td />;
    // A channel with no named accounts has one implicit account: the channel's quota is its.
    const quota =
      account === undefined || (account === null && row.accounts.length === 0)
        ? row.quotaToday
        : (row.accounts.find((a) => a.account === account)?.quotaToday ?? null);
    return (
      <td>
        <QuotaMeter quota={quota} limited={row.limits.maxSendsPerDay !== null} testId={testId} />
      </td>
    );
  };
  return (
    <section className="card senders" aria-labelledby="senders-title" data-testid="senders-panel">
      <h2 id="senders-title">{t('senders.title')}</h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('senders.sender')}</th>
              {COLUMNS.map((c) => (
                <th key={c} scope="col" className="num">
                  {t(`senders.${c}`)}
                </th>
              ))}
              <th scope="col">{t('campaign.progress')}</th>
              <th scope="col">{t('quota.label')}</th>
            </tr>
          </thead>
          <tbody>
            {channels.map(({ channel, figures, accounts }) => (
              <Fragment key={`c:${channel}`}>
                <tr className="senders__channel" data-testid="sender-channel" data-channel={channel ?? ''}>
                  <th scope="row">{channelName(channel)}</th>
                  {cells(figures, 'channel')}
                  <td>
                    <ProgressBar
                      settled={figures.settled}
                      total={figures.planned}
                      label={`${t('campaign.progress')} ${channelName(channel)}`}
                      compact
                    />
                  </td>
                  {quotaCell(channel, undefined, 'channel-quota')}
                </tr>
                {channel === null
                  ? null
                  : accounts.map(({ account, figures: f }) => (
                      <tr
                        key={`a:${channel}:${account}`}
                        className="senders__account"
                        data-testid="sender-account"
                        data-channel={channel}
                        data-account={account ?? ''}
                      >
                        <th scope="row">
                          <span className="senders__indent">{account ?? t('senders.defaultAccount')}</span>
                        </th>
                        {cells(f, 'account')}
                        <td>
                          <ProgressBar
                            settled={f.settled}
                            total={f.planned}
                            label={`${t('campaign.progress')} ${account ?? t('senders.defaultAccount')}`}
                            compact
                          />
                        </td>
                        {quotaCell(channel, account, 'account-quota')}
                      </tr>
                    ))}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">{t('senders.note')}</p>
    </section>
  );
}
