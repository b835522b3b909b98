import { gql } from '@urql/core';
import type {
  AbTestView,
  CampaignDetail,
  CampaignProgress,
  CampaignSummary,
  PageInfo,
  Viewer,
} from './types.js';

const COUNTERS_FIELDS = gql`
  fragment CountersFields on Counters {
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
    failedByClass {
      failureClass
      count
    }
  }
`;

const METRIC_FIELDS = gql`
  fragment MetricFields on Metric {
    name
    label
    unit
    value
    status
  }
`;

const AB_TEST_FIELDS = gql`
  fragment AbTestFields on AbTest {
    winnerMetric
    winnerSelection
    phase
    decideAt
    recommendedVariantId
    winnerKey
    comparisonFinal
    comparison {
      leaderVariantId
      difference
      pValue
      holdout
      variants {
        variantId
        key
        recipients
        successes
        rate
      }
      warnings {
        code
        message
      }
    }
  }
`;

const CAMPAIGN_DETAIL_FIELDS = gql`
  fragment CampaignDetailFields on Campaign {
    id
    name
    state
    counters {
      ...CountersFields
    }
    metrics {
      ...MetricFields
    }
    createdAt
    updatedAt
    scheduledAt
    startedAt
    finishedAt
    abTest {
      ...AbTestFields
    }
  }
  ${COUNTERS_FIELDS}
  ${AB_TEST_FIELDS}
  ${METRIC_FIELDS}
`;

export const ViewerQuery = gql<{ viewer: Viewer }, Record<string, never>>`
  query Viewer {
    viewer {
      role
      keyName
      workspace {
        id
        name
        timeZone
      }
    }
  }
`;

export interface CampaignsData {
  campaigns: { edges: { cursor: string; node: CampaignSummary }[]; pageInfo: PageInfo };
}

export const CampaignsQuery = gql<CampaignsData, { first: number; after: string | null }>`
  query Campaigns($first: Int!, $after: String) {
    campaigns(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
          state
          counters {
            total
            settled
          }
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const CampaignQuery = gql<{ campaign: CampaignDetail }, { id: string }>`
  query Campaign($id: ID!) {
    campaign(id: $id) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;

export const CampaignProgressSubscription = gql<{ campaignProgress: CampaignProgress }, { id: string }>`
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
      at
    }
  }
  ${COUNTERS_FIELDS}
  ${METRIC_FIELDS}
`;

export const StartCampaignMutation = gql<{ startCampaign: CampaignDetail }, { id: string }>`
  mutation StartCampaign($id: ID!) {
    startCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;

export const PauseCampaignMutation = gql<{ pauseCampaign: CampaignDetail }, { id: string }>`
  mutation PauseCampaign($id: ID!) {
    pauseCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;

export const ResumeCampaignMutation = gql<{ resumeCampaign: CampaignDetail }, { id: string }>`
  mutation ResumeCampaign($id: ID!) {
    resumeCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;

export const CancelCampaignMutation = gql<{ cancelCampaign: CampaignDetail }, { id: string }>`
  mutation CancelCampaign($id: ID!) {
    cancelCampaign(id: $id) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;

/** The A/B test alone, re-read while it runs (its comparison is live until the decision). */
export const AbTestQuery = gql<{ campaign: { id: string; abTest: AbTestView | null } }, { id: string }>`
  query AbTest($id: ID!) {
    campaign(id: $id) {
      id
      abTest {
        ...AbTestFields
      }
    }
  }
  ${AB_TEST_FIELDS}
`;

export const ConfirmAbTestWinnerMutation = gql<
  { confirmAbTestWinner: CampaignDetail },
  { id: string; variantId: string }
>`
  mutation ConfirmAbTestWinner($id: ID!, $variantId: ID) {
    confirmAbTestWinner(id: $id, variantId: $variantId) {
      ...CampaignDetailFields
    }
  }
  ${CAMPAIGN_DETAIL_FIELDS}
`;
