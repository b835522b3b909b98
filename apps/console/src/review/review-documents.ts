import { CampaignDetailFields, FindingFields } from '../graphql/fragments.js';
import { graphql } from '../graphql/graphql.js';

const ReviewItemFields = graphql(`
  fragment ReviewItemFields on Campaign @_unmask {
    id
    name
    state
    counters {
      total
    }
    channelPlan {
      channel
    }
    review {
      round
      status
      reasons
      submittedAt
      steps {
        name
        status
      }
    }
  }
`);

/** The queue now, then again whenever a campaign enters, moves through or leaves review. */
export const ReviewQueueSubscription = graphql(
  `
  subscription ReviewQueue {
    reviewQueue {
      ...ReviewItemFields
    }
  }
`,
  [ReviewItemFields],
);

export const ApproveCampaignMutation = graphql(
  `
  mutation ApproveCampaign($id: ID!, $step: String, $comment: String) {
    approveCampaign(id: $id, step: $step, comment: $comment) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const RejectCampaignMutation = graphql(
  `
  mutation RejectCampaign($id: ID!, $comment: String!) {
    rejectCampaign(id: $id, comment: $comment) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const OverrideFindingMutation = graphql(
  `
  mutation OverrideFinding($campaignId: ID!, $findingKey: String!, $reason: String!) {
    overrideFinding(campaignId: $campaignId, findingKey: $findingKey, reason: $reason) {
      ...FindingFields
    }
  }
`,
  [FindingFields],
);

const VersionFields = graphql(`
  fragment VersionFields on ApprovedVersion @_unmask {
    name
    audience
    excludeDormant
    segment {
      id
      name
    }
    variants {
      key
      content {
        subject
        text
      }
      channelContent {
        channel
        content {
          subject
          text
        }
      }
    }
    channelMode
    channelPlan {
      channel
      failover
      escalateAfterMs
      escalateUnless
    }
    scheduledAt
    schedule {
      kind
      cron
      timeZone
    }
    quietHours {
      mode
      enabled
      start
      end
    }
    batchIntervalMs
    sendWindowMs
  }
`);

/**
 * The version under review beside the last approved one, and the tag names both audiences use.
 * The campaign's own fields are asked under the same names as the approved version's.
 */
export const ReviewVersionsQuery = graphql(
  `
  query ReviewVersions($id: ID!) {
    campaign(id: $id) {
      id
      name
      audience
      excludeDormant
      segment {
        id
        name
      }
      variants {
        key
        content {
          subject
          text
        }
        channelContent {
          channel
          content {
            subject
            text
          }
        }
      }
      channelMode
      channelPlan {
        channel
        failover
        escalateAfterMs
        escalateUnless
      }
      scheduledAt
      schedule {
        kind
        cron
        timeZone
      }
      quietHours {
        mode
        enabled
        start
        end
      }
      batchIntervalMs
      sendWindowMs
      review {
        round
        lastApproved {
          round
          approvedAt
          ...VersionFields
        }
      }
    }
    tags {
      id
      name
    }
  }
`,
  [VersionFields],
);
