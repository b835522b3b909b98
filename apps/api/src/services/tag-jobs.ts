import { type AudienceExpression, type Campaign, type ChannelPlanStep, QunfaError } from '@qunfa/core';
import { and, eq } from 'drizzle-orm';
import { tags } from '../db/schema/index.js';
import type { ServiceDeps } from './deps.js';

/** The tag an audience is exactly (`{ tag }` and nothing else), or undefined. */
const onlyTag = (audience: AudienceExpression): string | undefined =>
  'tag' in audience && Object.keys(audience).length === 1 ? audience.tag : undefined;

/**
 * Fills in the target of every platform-job step (`sendToTag`): the provider's id of the tag the
 * audience is exactly, which must be a tag synced from that step's channel (an Official Account's
 * tag). The provider reaches whoever it counts in its tag, so an audience of anything else (a tag
 * and a region, two tags, an operator's own tag) cannot be sent as one job: INVALID_INPUT.
 */
export async function withTagJobs(
  deps: ServiceDeps,
  workspaceId: number,
  audience: AudienceExpression,
  plan: ChannelPlanStep[],
): Promise<ChannelPlanStep[]> {
  if (!plan.some((s) => s.platformJob)) return plan;
  const tagId = onlyTag(audience);
  const [tag] =
    tagId === undefined || !/^\d{1,18}$/.test(tagId)
      ? []
      : await deps.db
          .select({ name: tags.name, source: tags.source, externalId: tags.externalId })
          .from(tags)
          .where(and(eq(tags.workspaceId, workspaceId), eq(tags.id, Number(tagId))));
  return plan.map((step, i) => {
    if (!step.platformJob) return step;
    if (!tag || tag.source !== step.channel || !tag.externalId) {
      const field = `channelPlan.${i}.sendToTag`;
      throw new QunfaError(
        'INVALID_INPUT',
        `${field}: a mass send to a tag needs the audience to be exactly one tag synced from ${step.channel}${
          tag ? ` (“${tag.name}” is ${tag.source ? `from ${tag.source}` : 'a Qunfa tag'})` : ''
        }`,
        { details: { field } },
      );
    }
    return { ...step, platformJob: { target: tag.externalId } };
  });
}

/**
 * Before a start: the audience is still exactly the tag each job step names (a segment the
 * campaign followed may have been re-aimed since the plan was saved).
 */
export async function assertTagJobsMatch(deps: ServiceDeps, campaign: Campaign): Promise<void> {
  const now = await withTagJobs(deps, Number(campaign.workspaceId), campaign.audience, campaign.channelPlan);
  now.forEach((step, i) => {
    const saved = campaign.channelPlan[i]?.platformJob?.target;
    if (step.platformJob && step.platformJob.target !== saved) {
      throw new QunfaError(
        'INVALID_INPUT',
        `channelPlan.${i}.sendToTag: the audience is now another tag than the one the plan sends to; save the plan again`,
        { details: { field: `channelPlan.${i}.sendToTag` } },
      );
    }
  });
}
