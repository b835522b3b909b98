/** TypeScript mirror of the API's GraphQL contract (only what the console reads). */

export type Role = 'ADMIN' | 'OPERATOR' | 'APPROVER' | 'VIEWER';

export type CampaignState =
  | 'DRAFT'
  | 'IN_REVIEW'
  | 'APPROVED'
  | 'SCHEDULED'
  | 'RUNNING'
  | 'PAUSED'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'FAILED';

export type FailureClass =
  | 'RATE_LIMITED'
  | 'NETWORK'
  | 'INVALID_RECIPIENT'
  | 'BLOCKED_BY_USER'
  | 'ACCOUNT_RESTRICTED'
  | 'CONTENT_REJECTED'
  | 'UNKNOWN';

export type MetricStatus = 'GOOD' | 'WARN' | 'ALARM' | 'NONE';

export interface Workspace {
  id: string;
  name: string;
  timeZone: string;
}

export interface Viewer {
  role: Role;
  keyName: string;
  workspace: Workspace;
}

export interface FailureClassCount {
  failureClass: FailureClass;
  count: number;
}

export interface Counters {
  total: number;
  waiting: number;
  queued: number;
  submitted: number;
  awaitingConfirmation: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  suppressed: number;
  filtered: number;
  uncertain: number;
  settled: number;
  failedByClass: FailureClassCount[];
}

export interface Metric {
  name: string;
  label: string;
  unit: string;
  value: number | null;
  status: MetricStatus;
}

/** A campaign row of the list. */
export interface CampaignSummary {
  id: string;
  name: string;
  state: CampaignState;
  counters: Pick<Counters, 'total' | 'settled'>;
  createdAt: string;
}

/** What the campaign page shows. */
export interface CampaignDetail {
  id: string;
  name: string;
  state: CampaignState;
  counters: Counters;
  metrics: Metric[];
  createdAt: string;
  updatedAt: string;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  abTest: AbTestView | null;
}

export type AbTestPhase = 'TESTING' | 'AWAITING_DECISION' | 'DECIDED';

export interface AbVariantResult {
  variantId: string;
  key: string;
  recipients: number;
  successes: number;
  rate: number | null;
}

export interface AbComparison {
  leaderVariantId: string | null;
  difference: number | null;
  pValue: number | null;
  holdout: number;
  variants: AbVariantResult[];
  warnings: { code: string; message: string }[];
}

export interface AbTestView {
  winnerMetric: 'DELIVERY_RATE' | 'OPEN_RATE' | 'CLICK_RATE';
  winnerSelection: 'AUTO' | 'CONFIRM';
  phase: AbTestPhase | null;
  decideAt: string | null;
  recommendedVariantId: string | null;
  winnerKey: string | null;
  comparisonFinal: boolean;
  comparison: AbComparison | null;
}

export interface CampaignProgress {
  campaignId: string;
  state: CampaignState;
  counters: Counters;
  metrics: Metric[];
  at: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
