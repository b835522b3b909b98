import { graphql } from '../graphql/graphql.js';

export const AccountsQuery = graphql(`
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
      accounts {
        account
        channel
        state
        reason
        until
      }
    }
    plugins {
      name
      kind
      source
      kernel
      options
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
`);
