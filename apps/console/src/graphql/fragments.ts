/** Fragments shared by several screens; `@_unmask` keeps their fields in the result types. */
import { graphql } from './graphql.js';

export const CountersFields = graphql(`
  fragment CountersFields on Counters @_unmask {
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
`);

export const MetricFields = graphql(`
  fragment MetricFields on Metric @_unmask {
    name
    label
    unit
    value
    status
  }
`);

export const WaitReasonFields = graphql(`
  fragment WaitReasonFields on WaitReason @_unmask {
    reason
    count
    detail
    until
    lastUntil
  }
`);

export const FindingFields = graphql(`
  fragment FindingFields on CampaignFinding @_unmask {
    key
    code
    level
    message
    params
    rule
    channel
    variantId
    span {
      start
      end
    }
    override {
      reason
      at
      approverKeyId
    }
  }
`);

export const AbTestFields = graphql(`
  fragment AbTestFields on AbTest @_unmask {
    winnerMetric
    winnerSelection
    phase
    decideAt
    decidedAt
    recommendedVariantId
    winnerKey
    winnerVariantId
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
        trials
        rate
      }
      warnings {
        code
        message
      }
    }
  }
`);

export const CampaignDetailFields = graphql(
  `
  fragment CampaignDetailFields on Campaign @_unmask {
    id
    name
    state
    audience
    excludeDormant
    batchIntervalMs
    sendWindowMs
    counters {
      ...CountersFields
    }
    metrics {
      ...MetricFields
    }
    waiting {
      ...WaitReasonFields
    }
    variants {
      id
      key
      weight
      content {
        type
        subject
        text
      }
      channelContent {
        channel
        content {
          type
          subject
          text
        }
      }
    }
    channelMode
    channelPlan {
      channel
      batchSize
      escalateAfterMs
      escalateUnless
      failover
      trackLinks
    }
    quietHours {
      enabled
      mode
      start
      end
    }
    segment {
      id
      name
    }
    resendOf {
      id
      name
    }
    runOf {
      key
      template {
        id
        name
      }
    }
    review {
      round
      status
      reasons
      submittedAt
      steps {
        name
        status
        comment
        at
        approverKeyId
      }
    }
    findings {
      ...FindingFields
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
`,
  [CountersFields, AbTestFields, MetricFields, WaitReasonFields, FindingFields],
);

export const SenderQuotaFields = graphql(`
  fragment SenderQuotaFields on SenderQuota @_unmask {
    limit
    used
    left
    resetsAt
  }
`);
