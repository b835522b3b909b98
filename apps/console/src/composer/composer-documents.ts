import { CampaignDetailFields, SenderQuotaFields } from '../graphql/fragments.js';
import { graphql } from '../graphql/graphql.js';

/** What the composer offers: loaded channels with their limits and quotas left today, tags, segments. */
export const ComposerOptionsQuery = graphql(
  `
  query ComposerOptions {
    channels {
      name
      identityKinds
      quotaToday {
        ...SenderQuotaFields
      }
      accounts {
        account
        state
        quotaToday {
          ...SenderQuotaFields
        }
      }
      limits {
        maxSendsPerDay
        maxTextLength
        contentTypes
        maxRecipientsPerSend
        sms {
          signName
          templates {
            name
            id
            text
            kind
            variables
          }
        }
      }
    }
    tags {
      id
      name
      parentId
    }
    segments {
      id
      name
      audience
    }
  }
`,
  [SenderQuotaFields],
);

export const CheckContentQuery = graphql(`
  query CheckContent($text: String!, $subject: String, $channels: [String!], $type: String) {
    checkContent(text: $text, subject: $subject, channels: $channels, type: $type) {
      code
      level
      message
      params
      rule
      channel
      span {
        start
        end
      }
    }
  }
`);

export const AudiencePreviewQuery = graphql(`
  query AudiencePreview($audience: JSON!, $excludeDormant: Boolean) {
    audiencePreview(audience: $audience, excludeDormant: $excludeDormant, sampleSize: 3) {
      matched
      sendable
      suppressedTotal
      suppressed {
        reason
        count
      }
      asOf
      sample {
        id
        name
        province
        city
        attributes
      }
      targets
      groupSample {
        id
        name
        owner
        memberCount
      }
    }
  }
`);

export const CreateCampaignMutation = graphql(
  `
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const UpdateCampaignMutation = graphql(
  `
  mutation UpdateCampaign($id: ID!, $input: UpdateCampaignInput!) {
    updateCampaign(id: $id, input: $input) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);

export const SubmitForReviewMutation = graphql(
  `
  mutation SubmitForReview($id: ID!) {
    submitCampaignForReview(id: $id) {
      ...CampaignDetailFields
    }
  }
`,
  [CampaignDetailFields],
);
