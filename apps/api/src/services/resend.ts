import { type Actor, failureClasses, QunfaError, type ResendOf, transientFailureClasses } from '@qunfa/core';
import { and, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { campaigns, deliveries, variants } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { validate } from './validate.js';

const ended = new Set(['completed', 'cancelled', 'failed']);
const resendInput = z.object({
  states: z
    .array(z.enum(['failed', 'uncertain']))
    .min(1)
    .transform((s) => [...new Set(s)]),
  /** The run's name, in the operator's language; default `<source> · 重发 resend`. */
  name: z.string().trim().min(1).max(200).nullish(),
  /** Failed deliveries of these classes only; default: the transient ones. */
  failureClasses: z
    .array(z.enum(failureClasses))
    .min(1)
    .transform((c) => [...new Set(c)])
    .nullish(),
});

const actorOf = (p: Principal): Actor => ({ kind: 'api_key', id: String(p.keyId) });

/**
 * Sends a campaign again to exactly its failed (of the failure classes asked for, by default the
 * transient ones: an invalid number or a block by the recipient is not resent unless asked)
 * and/or uncertain recipients, as a new run with its own counters and the same variants; each
 * source delivery is marked so no later resend targets it twice. Refused while the campaign
 * runs, and when nobody is left to resend to.
 */
export async function resendCampaign(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
) {
  const p = authorize(principal, 'write');
  const data = validate(resendInput, input);
  const states = data.states;
  const classes = data.failureClasses ?? [...transientFailureClasses];
  const source = await requireCampaign(deps.db, p, id);
  if (!ended.has(source.state)) {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `a campaign is resent once it has ended; this one is ${source.state}`,
      {
        details: { from: source.state, command: 'resend' },
      },
    );
  }
  const [pending] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.campaignId, Number(source.id)),
        inArray(deliveries.state, states),
        isNull(deliveries.resolution),
        or(ne(deliveries.state, 'failed'), inArray(deliveries.failureClass, classes)),
      ),
    );
  if (!pending || pending.n === 0) {
    throw new QunfaError('EMPTY_AUDIENCE', `no ${states.join(' or ')} recipient is left to resend to`, {
      details: { states, failureClasses: classes },
    });
  }
  const resendOf: ResendOf = { campaignId: source.id, states, failureClasses: classes };
  const created = await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .insert(campaigns)
      .values({
        workspaceId: p.workspaceId,
        createdAt: deps.clock.now(),
        updatedAt: deps.clock.now(),
        createdByKeyId: p.keyId > 0 ? p.keyId : null,
        name: data.name ?? `${source.name} · 重发 resend`,
        audience: source.audience,
        channelPlan: source.channelPlan,
        // All channels: each recipient is resent on the channels whose message failed, only.
        channelMode: source.channelMode,
        retryPolicy: source.retryPolicy,
        batchIntervalMs: source.batchIntervalMs,
        resendOf,
      })
      .returning({ id: campaigns.id });
    // Same order, same weights: the recipients fall in the same variants as in the source.
    await tx.insert(variants).values(
      source.variants.map((v) => ({
        workspaceId: p.workspaceId,
        campaignId: row!.id,
        key: v.key,
        weight: v.weight,
        content: v.content,
        channelContent: v.channelContent ?? {},
      })),
    );
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'campaign.resend_created',
      subjectType: 'campaign',
      subjectId: row!.id,
      details: { source: source.id, states, failureClasses: classes },
    });
    return row!.id;
  });
  const { campaign } = await deps.engine.start({
    workspaceId: String(p.workspaceId),
    campaignId: String(created),
    actor: actorOf(p),
  });
  return campaign;
}

/** Marks a campaign's unresolved uncertain deliveries as failed by an operator's decision. */
export async function dropUncertain(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<number> {
  const p = authorize(principal, 'write');
  const campaign = await requireCampaign(deps.db, p, id);
  return deps.engine.dropUncertain({
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    actor: actorOf(p),
  });
}
