import {
  campaignStates,
  channelModes,
  contactKinds,
  failureClasses,
  identityKinds,
  suppressionReasons,
} from '@qunfa/core';
import { roles } from '../../auth/roles.js';
import { builder } from '../builder.js';

/** GraphQL enum values are SCREAMING_CASE names of the domain's snake_case values. */
export function upper<T extends string>(values: readonly T[]) {
  return Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<
    string,
    { value: T }
  >;
}

export const CampaignStateEnum = builder.enumType('CampaignState', { values: upper(campaignStates) });
export const FailureClassEnum = builder.enumType('FailureClass', { values: upper(failureClasses) });
export const IdentityKindEnum = builder.enumType('IdentityKind', { values: upper(identityKinds) });
export const ContactKindEnum = builder.enumType('ContactKind', {
  description:
    'PERSON, or GROUP: a WeCom customer group (CustomerGroup), selected only by an audience that asks for groups, which selects nothing else',
  values: upper(contactKinds),
});
export const RoleEnum = builder.enumType('Role', { values: upper(roles) });
export const MetricStatusEnum = builder.enumType('MetricStatus', {
  values: upper(['good', 'warn', 'alarm', 'none'] as const),
});
export const SuppressionReasonEnum = builder.enumType('SuppressionReason', {
  values: upper(suppressionReasons),
});
export const EscalationConditionEnum = builder.enumType('EscalationCondition', {
  description: 'The receipt an escalation window waits for',
  values: upper(['delivered', 'read'] as const),
});
export const ChannelModeEnum = builder.enumType('ChannelMode', {
  description:
    'FIRST: each recipient gets the first step of the plan that reaches them (later steps by escalation); ALL: every step that reaches them sends, for critical notices',
  values: upper(channelModes),
});
