import { CountersFields, SenderQuotaFields } from '../graphql/fragments.js';
import { graphql, type ResultOf } from '../graphql/graphql.js';

/**
 * A campaign by channel and sender account, and a page of its batch timeline (a batch's counters
 * without the failures by class: a page of 500 then stays within the API's cost limit), and each
 * channel's and sender account's daily quota used today (across campaigns: the account's whole day).
 */
export const CampaignBreakdownQuery = graphql(
  `
  query CampaignBreakdown($id: ID!, $first: Int!, $after: String) {
    channels {
      name
      limits {
        maxSendsPerDay
      }
      quotaToday {
        ...SenderQuotaFields
      }
      accounts {
        account
        quotaToday {
          ...SenderQuotaFields
        }
      }
    }
    campaign(id: $id) {
      id
      openPixel
      opens {
        channel
        reached
        opened
        openRate
        averageMsToOpen
      }
      bySender {
        channel
        account
        counters {
          ...CountersFields
        }
      }
      batches(first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            seq
            channel
            account
            state
            dueAt
            size
            starts
            waitReason
            updatedAt
            counters {
              total
              waiting
              queued
              submitted
              awaitingConfirmation
              sent
              delivered
              read
              clicked
              failed
              suppressed
              filtered
              uncertain
              settled
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`,
  [CountersFields, SenderQuotaFields],
);

type Breakdown = ResultOf<typeof CampaignBreakdownQuery>['campaign'];
export type ChannelQuotaRow = ResultOf<typeof CampaignBreakdownQuery>['channels'][number];
export type SenderRow = Breakdown['bySender'][number];
export type OpensRow = Breakdown['opens'][number];
export type BatchRow = Breakdown['batches']['edges'][number]['node'];
