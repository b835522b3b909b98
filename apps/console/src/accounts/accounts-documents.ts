import { SenderQuotaFields } from '../graphql/fragments.js';
import { graphql } from '../graphql/graphql.js';

export const AccountsQuery = graphql(
  `
  query Accounts {
    channels {
      name
      identityKinds
      limits {
        maxRecipientsPerSend
        maxSendsPerDay
        maxTextLength
        ratePerSecond
        receipts
        recall
        idempotencyKeys
        contentTypes
      }
      quotaToday {
        ...SenderQuotaFields
      }
      accounts {
        account
        channel
        state
        reason
        until
        quotaToday {
          ...SenderQuotaFields
        }
      }
    }
    lexicons {
      id
      name
      code
      level
      description
      terms
      allow
    }
  }
`,
  [SenderQuotaFields],
);

/** The loaded plugins with their options (secrets masked): an admin's view. */
export const PluginsQuery = graphql(`
  query Plugins {
    plugins {
      name
      kind
      source
      kernel
      options
    }
  }
`);
