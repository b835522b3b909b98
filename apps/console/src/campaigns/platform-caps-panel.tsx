import { useQuery } from 'urql';
import { graphql } from '../graphql/graphql.js';
import { useI18n } from '../i18n/locale-context.js';

/** The platform caps on a campaign's channels as they stand now (WeCom customers, Official Accounts). */
export const PlatformCapsQuery = graphql(`
  query CampaignPlatformCaps($id: ID!) {
    campaign(id: $id) {
      id
      platformCaps {
        channel
        scope
        period
        limit
        recipients
        atCap
        blocked
      }
    }
  }
`);

/**
 * Before a start: per capped channel, the platform's limit and how many of the audience are at it
 * already (they will be filtered), or whether the account's sends of the period are used up.
 */
export function PlatformCapsPanel({ campaignId }: { campaignId: string }) {
  const { t, n } = useI18n();
  const [{ data }] = useQuery({
    query: PlatformCapsQuery,
    variables: { id: campaignId },
    requestPolicy: 'cache-and-network',
  });
  const caps = data?.campaign?.platformCaps ?? [];
  if (caps.length === 0) return null;
  return (
    <section
      className="card platform-caps"
      aria-labelledby="platform-caps-title"
      data-testid="platform-caps-panel"
    >
      <h2 id="platform-caps-title">{t('caps.title')}</h2>
      <p className="muted">{t('caps.note')}</p>
      <ul>
        {caps.map((c) => {
          const limit = { limit: n(c.limit), period: c.period };
          return (
            <li
              key={c.channel}
              data-testid="platform-cap"
              data-channel={c.channel}
              data-at-cap={c.atCap}
              data-blocked={c.blocked}
            >
              <strong>{c.channel}</strong>
              <span className="muted">
                {' · '}
                {c.scope === 'PER_RECIPIENT' ? t('caps.perRecipient', limit) : t('caps.perAccount', limit)}
              </span>
              <div>
                {c.scope === 'PER_RECIPIENT'
                  ? t('caps.atCap', { atCap: n(c.atCap), recipients: n(c.recipients) })
                  : c.blocked
                    ? t('caps.blocked')
                    : t('caps.free')}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
