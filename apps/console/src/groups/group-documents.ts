import { graphql } from '../graphql/graphql.js';

export const CustomerGroupsQuery = graphql(`
  query CustomerGroups(
    $first: Int!
    $after: String
    $owners: [String!]
    $tagId: ID
    $nameContains: String
    $health: CustomerGroupHealthFilter
  ) {
    customerGroups(
      first: $first
      after: $after
      owners: $owners
      tagId: $tagId
      nameContains: $nameContains
      health: $health
    ) {
      edges {
        cursor
        node {
          id
          chatId
          name
          owner
          memberCount
          lastSyncedAt
          tags {
            id
            name
          }
          health {
            month
            joins
            leaves
            quitRate
            healthy
            reasons {
              metric
              label
              unit
              value
              alarm
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    tags {
      id
      name
    }
  }
`);

export const TagCustomerGroupsMutation = graphql(`
  mutation TagCustomerGroups($tagId: ID!, $groupIds: [ID!]!) {
    tagCustomerGroups(tagId: $tagId, groupIds: $groupIds)
  }
`);
