import { CountersFields } from '../graphql/fragments.js';
import { graphql, type ResultOf } from '../graphql/graphql.js';

/** A campaign by channel and sender account, and a page of its batch timeline. */
export const CampaignBreakdownQuery = graphql(
  `
  query CampaignBreakdown($id: ID!, $first: Int!, $after: String) {
    campaign(id: $id) {
      id
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
              ...CountersFields
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
  [CountersFields],
);

type Breakdown = ResultOf<typeof CampaignBreakdownQuery>['campaign'];
export type SenderRow = Breakdown['bySender'][number];
export type BatchRow = Breakdown['batches']['edges'][number]['node'];
