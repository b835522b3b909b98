import { useQuery } from 'urql';
import { useSessionContext } from '../auth/session-context.js';
import { formatDateTime } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice, Loading } from '../ui/error-notice.js';
import { QuotaMeter } from '../ui/quota-meter.js';
import { AccountsQuery, PluginsQuery } from './accounts-documents.js';

/**
 * Channels with their limits, sender accounts' health, cool-downs and quota today; lexicons; and
 * for an admin the loaded plugins (secrets masked by the API: other roles may not read them).
 */
export function AccountsPage() {
  const { t, tx, n, locale } = useI18n();
  const { viewer } = useSessionContext();
  const [{ data, error, fetching }] = useQuery({ query: AccountsQuery });
  const admin = viewer.role === 'ADMIN';
  const [plugins] = useQuery({ query: PluginsQuery, pause: !admin });
  if (error) return <ErrorNotice error={error} />;
  if (!data) return fetching ? <Loading /> : null;
  const timeZone = viewer.workspace.timeZone;
  return (
    <div>
      <section className="card" aria-labelledby="channels-title">
        <h1 id="channels-title">{t('accounts.title')}</h1>
        <div className="table-wrap">
          <table className="table" data-testid="channels-table">
            <thead>
              <tr>
                <th>{t('accounts.channel')}</th>
                <th>{t('accounts.limits')}</th>
                <th>{t('accounts.accounts')}</th>
              </tr>
            </thead>
            <tbody>
              {data.channels.map((c) => (
                <tr key={c.name} data-testid={`channel-${c.name}`}>
                  <td>
                    <strong>{c.name}</strong>
                    <div className="muted">
                      {c.identityKinds.map((k) => tx(`identity.${k}`, k)).join('、')}
                    </div>
                  </td>
                  <td>
                    {t('accounts.perSend', { count: n(c.limits.maxRecipientsPerSend) })}
                    {c.limits.maxSendsPerDay !== null
                      ? ` · ${t('accounts.perDay', { count: n(c.limits.maxSendsPerDay) })}`
                      : ''}
                    {c.limits.ratePerSecond !== null
                      ? ` · ${t('accounts.rate', { count: n(c.limits.ratePerSecond) })}`
                      : ''}
                    {c.limits.maxTextLength !== null
                      ? ` · ${t('accounts.maxText', { count: n(c.limits.maxTextLength) })}`
                      : ''}
                    {c.limits.maxSendsPerDay !== null ? (
                      <div>
                        <QuotaMeter quota={c.quotaToday} limited testId={`channel-quota-${c.name}`} />
                      </div>
                    ) : null}
                    <div className="muted">
                      {[
                        c.limits.receipts && t('accounts.receipts'),
                        c.limits.recall && t('accounts.recall'),
                        c.limits.idempotencyKeys && t('accounts.idempotent'),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </div>
                  </td>
                  <td>
                    {c.accounts.length === 0 ? (
                      <span className="muted">{t('accounts.noAccounts')}</span>
                    ) : null}
                    <ul className="accounts">
                      {c.accounts.map((a) => (
                        <li key={a.account} data-state={a.state}>
                          {a.account} ·{' '}
                          <strong className={`health--${a.state.toLowerCase()}`}>
                            {tx(`health.${a.state}`, a.state)}
                          </strong>
                          {a.until
                            ? ` · ${t('waiting.until', { time: formatDateTime(a.until, locale, timeZone) })}`
                            : ''}
                          {a.reason ? <span className="muted"> · {a.reason}</span> : null}
                          <div>
                            <QuotaMeter
                              quota={a.quotaToday}
                              limited={c.limits.maxSendsPerDay !== null}
                              testId="account-quota"
                            />
                          </div>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted">{t('accounts.quotaNote')}</p>
      </section>
      {admin ? (
        <section className="card" aria-labelledby="plugins-title">
          <h2 id="plugins-title">{t('accounts.plugins')}</h2>
          <ErrorNotice error={plugins.error ?? null} />
          <div className="table-wrap">
            <table className="table" data-testid="plugins-table">
              <thead>
                <tr>
                  <th>{t('accounts.plugin')}</th>
                  <th>{t('accounts.kind')}</th>
                  <th>{t('accounts.options')}</th>
                </tr>
              </thead>
              <tbody>
                {plugins.data?.plugins.map((p) => (
                  <tr key={p.name}>
                    <td>
                      {tx(p.name, p.name)}
                      <div className="muted">
                        {p.name} · {p.source === 'BUILTIN' ? t('accounts.builtin') : t('accounts.config')}
                      </div>
                    </td>
                    <td>{tx(`accounts.kind.${p.kind}`, p.kind)}</td>
                    <td>
                      <code className="options">{JSON.stringify(p.options)}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      <section className="card" aria-labelledby="lexicons-title">
        <h2 id="lexicons-title">{t('accounts.lexicons')}</h2>
        {data.lexicons.length === 0 ? <p className="muted">{t('accounts.noLexicons')}</p> : null}
        <ul>
          {data.lexicons.map((l) => (
            <li key={l.id}>
              <strong>{l.name}</strong> · {tx(`level.${l.level}`, l.level)} ·{' '}
              {t('accounts.terms', { count: n(l.terms.length) })}
              {l.description ? <span className="muted"> · {l.description}</span> : null}
              <div className="muted">{l.terms.slice(0, 20).join('、')}</div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
