/** Result types derived from the typed documents: nothing here is written by hand. */
import type { ViewerQuery } from '../auth/viewer-query.js';
import type {
  CampaignProgressSubscription,
  CampaignQuery,
  CampaignsQuery,
} from '../campaigns/campaign-documents.js';
import type { ResultOf } from './graphql.js';

export type Viewer = ResultOf<typeof ViewerQuery>['viewer'];
export type Role = Viewer['role'];
export type CampaignDetail = ResultOf<typeof CampaignQuery>['campaign'];
export type CampaignState = CampaignDetail['state'];
export type Counters = CampaignDetail['counters'];
export type FailureClass = Counters['failedByClass'][number]['failureClass'];
export type Metric = CampaignDetail['metrics'][number];
export type MetricStatus = Metric['status'];
export type WaitReason = CampaignDetail['waiting'][number];
export type CampaignFinding = CampaignDetail['findings'][number];
export type AbTestView = NonNullable<CampaignDetail['abTest']>;
export type AbTestPhase = NonNullable<AbTestView['phase']>;
export type AbComparison = NonNullable<AbTestView['comparison']>;
export type AbVariantResult = AbComparison['variants'][number];
export type CampaignProgress = ResultOf<typeof CampaignProgressSubscription>['campaignProgress'];
export type CampaignSummary = ResultOf<typeof CampaignsQuery>['campaigns']['edges'][number]['node'];
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
