import {
  AbTestFields,
  CampaignDetailFields,
  CountersFields,
  MetricFields,
  WaitReasonFields,
} from '../graphql/fragments.js';
import { graphql } from '../graphql/graphql.js';

export const CampaignsQuery = graphql(`
  query Campaigns($first: Int!, $after: String, $filter: CampaignFilter) {
    campaigns(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          name
          state
          counters {
            total
            settled
            sent
            delivered
            failed
          }
          channelPlan {
            channel
          }
          audiencePreview {
            sendable
            suppressedTotal
          }
          findings {
            level
            override {
              at
            }
          }
          resendOf {
            id
            name
          }
          runOf {
            template {
              id
              name
            }
          }
          createdAt
          createdBy {
            keyName
            memberName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** The choices of the list's channel and creator filters. */
export const CampaignFilterChoicesQuery = graphql(`
  query CampaignFilterChoices {
    channels {
      name
    }
    campaignCreators {
      keyId
      keyName
      memberId
      memberName
    }
  }
`);

export const CampaignQuery = graphql(
  `
  query Campaign($id: ID!) {
    campaign(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const CampaignProgressSubscription = graphql(
  `
  subscription CampaignProgress($id: ID!) {
    campaignProgress(id: $id) {
      campaignId
      state
      counters {
        ...CountersFields
      }
      metrics {
        ...MetricFields
      }
      waiting {
        ...WaitReasonFields
      }
      at
    }
  }
`,
  [CountersFields, MetricFields, WaitReasonFields],
);

export const StartCampaignMutation = graphql(
  `
  mutation StartCampaign($id: ID!) {
    startCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const PauseCampaignMutation = graphql(
  `
  mutation PauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const ResumeCampaignMutation = graphql(
  `
  mutation ResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const CancelCampaignMutation = graphql(
  `
  mutation CancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

/** The A/B test alone, re-read while it runs (its comparison is live until the decision). */
export const AbTestQuery = graphql(
  `
  query AbTest($id: ID!) {
    campaign(id: $id) {
      id
      abTest {
        ...AbTestFields
      }
    }
  }
`,
  [AbTestFields],
);

export const ConfirmAbTestWinnerMutation = graphql(
  `
  mutation ConfirmAbTestWinner($id: ID!, $variantId: ID) {
    confirmAbTestWinner(id: $id, variantId: $variantId) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

/** Failed (or uncertain) recipients, one page at a time. */
export const CampaignDeliveriesQuery = graphql(`
  query CampaignDeliveries($id: ID!, $states: [DeliveryState!], $first: Int!, $after: String) {
    campaign(id: $id) {
      id
      deliveries(states: $states, first: $first, after: $after) {
        edges {
          cursor
          node {
            id
            contactId
            contactName
            channel
            state
            failureClass
            lastError
            resolution
            variantId
            updatedAt
            attempts {
              account
              channel
              at
              status
              failureClass
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

export const ResendCampaignMutation = graphql(`
  mutation ResendCampaign($id: ID!, $states: [ResendableState!]!, $name: String) {
    resendCampaign(id: $id, states: $states, name: $name) {
      id
      name
    }
  }
`);
