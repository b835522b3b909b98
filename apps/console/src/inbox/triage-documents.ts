import { graphql } from '../graphql/graphql.js';

/**
 * The largest page of triage items the console asks for: 400 items with their replies stay within
 * the API's cost limit (500 do not). `test/document-limits.test.ts` costs this module's documents
 * at this page instead of 500.
 */
export const largestPage = 400;

/** What an inbox item shows, with the replies sent; kept lean: a page of `largestPage` stays within the API's cost limit. */
export const TriageItemFields = graphql(`
  fragment TriageItemFields on TriageItem @_unmask {
    id
    label
    priority
    status
    assignee
    dueAt
    overdue
    campaignId
    contactId
    createdAt
    replies {
      id
      text
      status
      createdAt
      sentAt
    }
    message {
      channel
      account
      text
      receivedAt
      unsubscribed
      contact {
        name
      }
    }
  }
`);

export const TriageItemsQuery = graphql(
  `
  query TriageItems($first: Int!, $after: String, $status: [TriageStatus!], $overdue: Boolean, $label: [ReplyClass!]) {
    triageItems(first: $first, after: $after, status: $status, overdue: $overdue, label: $label) {
      edges {
        cursor
        node {
          ...TriageItemFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    triageSummary {
      open
      overdue
    }
  }
`,
  [TriageItemFields],
);

export const TriageItemChangedSubscription = graphql(`
  subscription TriageItemChanged {
    triageItemChanged {
      change
      item {
        id
      }
    }
  }
`);

export const AssignTriageItemMutation = graphql(
  `
  mutation AssignTriageItem($id: ID!, $assignee: String!) {
    assignTriageItem(id: $id, assignee: $assignee) {
      ...TriageItemFields
    }
  }
`,
  [TriageItemFields],
);

export const UnassignTriageItemMutation = graphql(
  `
  mutation UnassignTriageItem($id: ID!) {
    unassignTriageItem(id: $id) {
      ...TriageItemFields
    }
  }
`,
  [TriageItemFields],
);

export const ResolveTriageItemMutation = graphql(
  `
  mutation ResolveTriageItem($id: ID!) {
    resolveTriageItem(id: $id) {
      ...TriageItemFields
    }
  }
`,
  [TriageItemFields],
);

export const ReopenTriageItemMutation = graphql(
  `
  mutation ReopenTriageItem($id: ID!) {
    reopenTriageItem(id: $id) {
      ...TriageItemFields
    }
  }
`,
  [TriageItemFields],
);

export const ReplyToTriageItemMutation = graphql(
  `
  mutation ReplyToTriageItem($id: ID!, $text: String!, $idempotencyKey: String) {
    replyToTriageItem(id: $id, text: $text, idempotencyKey: $idempotencyKey) {
      item {
        ...TriageItemFields
      }
      reply {
        id
        status
        channel
        failureClass
      }
    }
  }
`,
  [TriageItemFields],
);
