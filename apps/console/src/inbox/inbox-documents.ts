import { graphql } from '../graphql/graphql.js';

const InboundFields = graphql(`
  fragment InboundFields on InboundMessage @_unmask {
    id
    channel
    account
    text
    receivedAt
    campaignId
    unsubscribed
    contactId
    contact {
      id
      name
    }
  }
`);

export const InboundMessagesQuery = graphql(
  `
  query InboundMessages($first: Int!, $after: String) {
    inboundMessages(first: $first, after: $after) {
      edges {
        node {
          ...InboundFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`,
  [InboundFields],
);

export const InboundMessageReceivedSubscription = graphql(
  `
  subscription InboundMessageReceived {
    inboundMessageReceived {
      ...InboundFields
    }
  }
`,
  [InboundFields],
);
