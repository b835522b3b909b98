import {
  type ChannelPlanStep,
  type ContentType,
  channelModeProblem,
  escalationReceiptProblems,
  QunfaError,
} from '@qunfa/core';
import { eq } from 'drizzle-orm';
import { workspaces } from '../db/schema/index.js';
import type { ServiceDeps } from './deps.js';

/**
 * A campaign's channel plan as written, checked against the loaded channels (INVALID_INPUT or
 * CHANNEL_NOT_FOUND naming the field), as the kernel's steps.
 */
export function checkChannels(
  deps: ServiceDeps,
  plan: {
    channel: string;
    batchSize?: number | null;
    failover?: string[] | null;
    trackLinks?: boolean | null;
    escalateAfterMs?: number | null;
    escalateUnless?: 'delivered' | 'read' | null;
    sendToTag?: boolean | null;
    confirmationDeadlineMs?: number | null;
  }[],
): ChannelPlanStep[] {
  const find = (name: string, field: string) => {
    const channel = deps.registry.channels.find((c) => c.name === name);
    if (!channel) {
      throw new QunfaError('CHANNEL_NOT_FOUND', `channel "${name}" is not loaded`, {
        details: { field, available: deps.registry.channels.map((c) => c.name) },
      });
    }
    return channel;
  };
  const seen = new Set<string>();
  return plan.map((step, i) => {
    const channel = find(step.channel, `channelPlan.${i}.channel`);
    const failover = step.failover ?? [];
    for (const [j, name] of failover.entries()) find(name, `channelPlan.${i}.failover.${j}`);
    for (const name of [step.channel, ...failover]) {
      if (seen.has(name)) {
        throw new QunfaError('INVALID_INPUT', `channelPlan.${i}: ${name} appears twice in the plan`, {
          details: { field: `channelPlan.${i}` },
        });
      }
      seen.add(name);
    }
    if (step.batchSize && step.batchSize > channel.limits.maxRecipientsPerSend) {
      throw new QunfaError(
        'INVALID_INPUT',
        `channelPlan.${i}.batchSize: ${channel.name} takes at most ${channel.limits.maxRecipientsPerSend} recipients a send`,
        { details: { field: `channelPlan.${i}.batchSize` } },
      );
    }
    if (step.escalateAfterMs && i === plan.length - 1) {
      throw new QunfaError(
        'INVALID_INPUT',
        `channelPlan.${i}.escalateAfterMs: the last step has nowhere to escalate to`,
        {
          details: { field: `channelPlan.${i}.escalateAfterMs` },
        },
      );
    }
    if (step.confirmationDeadlineMs && !channel.limits.confirmation) {
      throw new QunfaError(
        'INVALID_INPUT',
        `channelPlan.${i}.confirmationDeadlineMs: ${channel.name} does not wait for a sender's confirmation`,
        { details: { field: `channelPlan.${i}.confirmationDeadlineMs` } },
      );
    }
    return {
      channel: step.channel,
      ...(step.batchSize ? { batchSize: step.batchSize } : {}),
      ...(step.confirmationDeadlineMs ? { confirmationDeadlineMs: step.confirmationDeadlineMs } : {}),
      ...(step.escalateAfterMs
        ? {
            escalateAfter: {
              ms: step.escalateAfterMs,
              unless: step.escalateUnless ?? ('delivered' as const),
            },
          }
        : {}),
      ...(failover.length > 0 ? { failover } : {}),
      ...(step.trackLinks === false ? { trackLinks: false } : {}),
      // The target is the audience's tag, filled in by withTagJobs.
      ...(step.sendToTag ? { platformJob: { target: '' } } : {}),
    };
  });
}

/** What an all-channels plan cannot hold (a step's escalation, an A/B test), as INVALID_INPUT. */
export function checkChannelMode(campaign: Parameters<typeof channelModeProblem>[0]): void {
  const problem = channelModeProblem(campaign);
  if (problem) {
    throw new QunfaError('INVALID_INPUT', `${problem.field}: ${problem.message}`, {
      details: { field: problem.field },
    });
  }
}

/** A variant's content of its own for a step must name a step of the plan, once. */
export function checkChannelContent(
  variantInput: readonly { channelContent?: readonly { channel: string }[] | null | undefined }[],
  plan: readonly ChannelPlanStep[],
): void {
  const steps = new Set(plan.map((s) => s.channel));
  for (const [i, v] of variantInput.entries()) {
    const seen = new Set<string>();
    for (const [j, { channel }] of (v.channelContent ?? []).entries()) {
      const field = `variants.${i}.channelContent.${j}.channel`;
      if (!steps.has(channel)) {
        const failoverOf = plan.find((s) => s.failover?.includes(channel));
        throw new QunfaError(
          'INVALID_INPUT',
          failoverOf
            ? `${field}: ${channel} is a failover provider of ${failoverOf.channel}; give the content for ${failoverOf.channel}`
            : `${field}: ${channel} is not a step of the channel plan`,
          { details: { field, steps: [...steps] } },
        );
      }
      if (seen.has(channel)) {
        throw new QunfaError('INVALID_INPUT', `${field}: ${channel} has content twice`, {
          details: { field },
        });
      }
      seen.add(channel);
    }
  }
}

/** A variant as written (channel content as a list) or as stored (by channel): only content types count. */
type Typed = { type: ContentType };
type VariantContent =
  | { content: Typed; channelContent?: Record<string, Typed> }
  | { content: Typed; channelContent?: readonly { channel: string; content: Typed }[] | null };

/**
 * Refuses (ESCALATION_RECEIPT_UNREPORTED, naming the step, channel, content type and state) a plan
 * whose step escalates unless delivered or read when its channel never reports that state for the
 * step's content: the window would send the next step to every recipient. E-mail's opens count
 * when the campaign tracks them: `openPixel` once it started, else its workspace's setting, which
 * it takes at the first start. Channels that do not declare `receiptStates` are not judged.
 */
export async function checkEscalationReceipts(
  deps: ServiceDeps,
  workspaceId: number | string,
  campaign: {
    channelPlan: readonly ChannelPlanStep[];
    channelMode?: 'first' | 'all';
    variants: readonly VariantContent[];
    openPixel?: boolean;
  },
): Promise<void> {
  if (!campaign.channelPlan.some((s) => s.escalateAfter) || campaign.channelMode === 'all') return;
  const variants = campaign.variants.map((v) => {
    const own = v.channelContent ?? undefined;
    const byChannel: Record<string, Typed> | undefined = Array.isArray(own)
      ? Object.fromEntries((own as { channel: string; content: Typed }[]).map((c) => [c.channel, c.content]))
      : (own as Record<string, Typed> | undefined);
    return { content: v.content, ...(byChannel ? { channelContent: byChannel } : {}) };
  });
  const limitsOf = (name: string) => deps.registry.channels.find((c) => c.name === name)?.limits;
  const problems = (openPixel: boolean) =>
    escalationReceiptProblems({ ...campaign, variants }, limitsOf, openPixel);
  // Only e-mail's opens depend on the pixel: look the workspace up only when that decides.
  if (problems(true).length === 0 && problems(false).length > 0 && campaign.openPixel === undefined) {
    const [row] = await deps.db
      .select({ openPixel: workspaces.openPixel })
      .from(workspaces)
      .where(eq(workspaces.id, Number(workspaceId)));
    if (row?.openPixel) return;
  }
  const [problem] = problems(campaign.openPixel === true);
  if (!problem) return;
  throw new QunfaError('ESCALATION_RECEIPT_UNREPORTED', problem.message, {
    details: {
      field: problem.field,
      step: problem.step,
      channel: problem.channel,
      contentType: problem.contentType,
      unless: problem.unless,
    },
  });
}
