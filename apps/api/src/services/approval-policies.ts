import { type Finding, QunfaError } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { approvalPolicies } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { conflictOr, parseId, validate } from './validate.js';

export type ApprovalPolicy = typeof approvalPolicies.$inferSelect;

/**
 * What applies to a workspace that defined no policy: any `revise` finding, and what
 * `rule:audience-size` flags (over 500 recipients by default) — the threshold lives in the rule's options.
 */
export const defaultPolicy = {
  name: 'default',
  audienceOver: null as number | null,
  onRevise: true,
  findingCodes: ['AUDIENCE_NEEDS_APPROVAL'],
  channels: [] as string[],
  steps: ['review'],
  separatedSteps: null as string[] | null,
};

const stepName = z.string().trim().min(1).max(40);

const policyInput = z.object({
  name: z.string().trim().min(1).max(100),
  audienceOver: z.number().int().min(0).nullish(),
  onRevise: z.boolean().default(false),
  findingCodes: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE code'))
    .max(50)
    .default([]),
  channels: z.array(z.string().min(1)).max(50).default([]),
  steps: z
    .array(stepName)
    .min(1)
    .max(10)
    .refine((s) => new Set(s).size === s.length, 'must not repeat a step'),
  /** Steps the author may not approve; omitted: every step. */
  separatedSteps: z.array(stepName).max(10).nullish(),
});

const actorOf = (p: Principal) => ({ kind: 'api_key' as const, id: String(p.keyId) });

export interface ReviewRequirement {
  required: boolean;
  /** The steps in order: each matching policy's, first appearance kept. */
  steps: string[];
  /** Steps the campaign's author may not approve: marked so by any matching policy. */
  separatedSteps: string[];
  /** Why: `policy: what matched`. */
  reasons: string[];
}

/** Which policies a campaign matches, from its audience size, findings and channels. */
export async function reviewRequirement(
  db: Db,
  workspaceId: string,
  facts: { audienceSize: number; findings: Finding[]; channels: string[] },
): Promise<ReviewRequirement> {
  const defined = await db
    .select()
    .from(approvalPolicies)
    .where(eq(approvalPolicies.workspaceId, Number(workspaceId)))
    .orderBy(asc(approvalPolicies.id));
  const policies = defined.length > 0 ? defined : [defaultPolicy];
  const steps: string[] = [];
  const separated = new Set<string>();
  const reasons: string[] = [];
  for (const policy of policies) {
    const matched: string[] = [];
    if (policy.audienceOver !== null && facts.audienceSize > policy.audienceOver)
      matched.push(`audience ${facts.audienceSize} > ${policy.audienceOver}`);
    if (policy.onRevise && facts.findings.some((f) => f.level === 'revise')) matched.push('a revise finding');
    const codes = [...new Set(facts.findings.map((f) => f.code))].filter((c) =>
      policy.findingCodes.includes(c),
    );
    if (codes.length > 0) matched.push(`finding ${codes.join(', ')}`);
    const channels = facts.channels.filter((c) => policy.channels.includes(c));
    if (channels.length > 0) matched.push(`channel ${channels.join(', ')}`);
    if (matched.length === 0) continue;
    reasons.push(`${policy.name}: ${matched.join('; ')}`);
    for (const step of policy.steps) if (!steps.includes(step)) steps.push(step);
    for (const step of policy.separatedSteps ?? policy.steps) separated.add(step);
  }
  return {
    required: reasons.length > 0,
    steps,
    separatedSteps: steps.filter((s) => separated.has(s)),
    reasons,
  };
}

export async function listApprovalPolicies(deps: ServiceDeps, principal: Principal | null) {
  const p = authorize(principal, 'read');
  return deps.db
    .select()
    .from(approvalPolicies)
    .where(eq(approvalPolicies.workspaceId, p.workspaceId))
    .orderBy(asc(approvalPolicies.id));
}

export async function createApprovalPolicy(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'admin');
  const data = validate(policyInput, input);
  if (
    data.audienceOver == null &&
    !data.onRevise &&
    data.channels.length === 0 &&
    data.findingCodes.length === 0
  ) {
    throw new QunfaError(
      'INVALID_INPUT',
      'a policy needs a condition: audienceOver, onRevise, findingCodes or channels',
      {
        details: { field: 'audienceOver' },
      },
    );
  }
  const unknown = (data.separatedSteps ?? []).filter((s) => !data.steps.includes(s));
  if (unknown.length > 0) {
    throw new QunfaError(
      'INVALID_INPUT',
      `separatedSteps names steps the policy lacks: ${unknown.join(', ')}`,
      {
        details: { field: 'separatedSteps', unknown },
      },
    );
  }
  return deps.db
    .transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const [row] = await tx
        .insert(approvalPolicies)
        .values({
          workspaceId: p.workspaceId,
          ...data,
          audienceOver: data.audienceOver ?? null,
          separatedSteps: data.separatedSteps ?? null,
        })
        .returning();
      await writeAudit(tx, {
        at: deps.clock.now(),
        workspaceId: p.workspaceId,
        actor: actorOf(p),
        action: 'approval_policy.created',
        subjectType: 'approval_policy',
        subjectId: row!.id,
        details: { name: data.name, steps: data.steps, separatedSteps: data.separatedSteps ?? data.steps },
      });
      return row!;
    })
    .catch((error: unknown) => conflictOr(error, `a policy named "${data.name}" exists`, { field: 'name' }));
}

export async function deleteApprovalPolicy(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'admin');
  const n = parseId(id);
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const deleted =
      n === undefined
        ? []
        : await tx
            .delete(approvalPolicies)
            .where(and(eq(approvalPolicies.id, n), eq(approvalPolicies.workspaceId, p.workspaceId)))
            .returning({ id: approvalPolicies.id });
    if (deleted.length === 0) throw new QunfaError('NOT_FOUND', `approval policy ${id} not found`);
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'approval_policy.deleted',
      subjectType: 'approval_policy',
      subjectId: id,
    });
    return true;
  });
}
