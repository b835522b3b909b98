import { graphql } from '../graphql/graphql.js';

const ContactFields = graphql(`
  fragment ContactFields on Contact @_unmask {
    id
    name
    province
    city
    district
    device
    lastActiveAt
    attributes
    createdAt
    identities {
      kind
      value
    }
    tags {
      id
      name
    }
  }
`);

export const ContactsQuery = graphql(
  `
  query Contacts($first: Int!, $after: String, $tagId: ID, $search: String) {
    contacts(first: $first, after: $after, tagId: $tagId, search: $search) {
      edges {
        cursor
        node {
          ...ContactFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`,
  [ContactFields],
);

export const ContactQuery = graphql(
  `
  query Contact($id: ID!) {
    contact(id: $id) {
      ...ContactFields
    }
    inboundMessages(contactId: $id, first: 20) {
      edges {
        node {
          id
          channel
          text
          receivedAt
          campaignId
          unsubscribed
        }
      }
    }
  }
`,
  [ContactFields],
);

export const TagsAndSegmentsQuery = graphql(`
  query TagsAndSegments {
    tags {
      id
      name
      kind
      parentId
    }
    segments {
      id
      name
      audience
      updatedAt
    }
  }
`);

export const CreateTagMutation = graphql(`
  mutation CreateTag($input: CreateTagInput!) {
    createTag(input: $input) {
      id
      name
    }
  }
`);

export const TagContactsMutation = graphql(`
  mutation TagContacts($contactIds: [ID!]!, $tagId: ID!) {
    tagContacts(contactIds: $contactIds, tagId: $tagId)
  }
`);

export const UntagContactsMutation = graphql(`
  mutation UntagContacts($contactIds: [ID!]!, $tagId: ID!) {
    untagContacts(contactIds: $contactIds, tagId: $tagId)
  }
`);

export const EraseContactMutation = graphql(`
  mutation EraseContact($id: ID!) {
    eraseContact(id: $id) {
      id
      erasedAt
    }
  }
`);

export const MergeContactsMutation = graphql(`
  mutation MergeContacts($from: [ID!]!, $into: ID!) {
    mergeContacts(from: $from, into: $into) {
      id
    }
  }
`);

const ImportFields = graphql(`
  fragment ImportFields on ContactImport @_unmask {
    id
    state
    phase
    rows
    created
    merged
    failed
    encoding
    startedAt
    finishedAt
    errors {
      row
      field
      reason
    }
  }
`);

export const ImportContactsMutation = graphql(
  `
  mutation ImportContacts($file: File!, $allOrNothing: Boolean) {
    importContacts(file: $file, allOrNothing: $allOrNothing) {
      ...ImportFields
    }
  }
`,
  [ImportFields],
);

export const ContactImportProgressSubscription = graphql(
  `
  subscription ContactImportProgress($id: ID!) {
    contactImportProgress(id: $id) {
      ...ImportFields
    }
  }
`,
  [ImportFields],
);

export const ImportErrorReportQuery = graphql(`
  query ImportErrorReport($id: ID!) {
    contactImport(id: $id) {
      id
      errorReportCsv
    }
  }
`);

/** A contact's deliveries across campaigns, newest first, with the replies each drew. */
export const ContactDeliveriesQuery = graphql(`
  query ContactDeliveries($id: ID!, $first: Int!, $after: String) {
    contact(id: $id) {
      id
      deliveries(first: $first, after: $after) {
        edges {
          node {
            id
            campaignId
            campaignName
            channel
            state
            failureClass
            suppressionReason
            updatedAt
            replies {
              id
              text
              receivedAt
              unsubscribed
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
`);
