import type { Actor, Campaign } from '../domain/campaign.js';
import { QunfaError } from '../errors.js';
import { audit, type MemoryTables } from './tables.js';

type CampaignRef = { workspaceId: string; campaignId: string };

const refOf = (c: Campaign): CampaignRef => ({ workspaceId: c.workspaceId, campaignId: c.id });

/** Scheduled one-off campaigns (not templates) whose time has come, earliest first. */
export function scheduledCampaignsDue(t: MemoryTables, now: Date, limit: number): CampaignRef[] {
  return [...t.campaigns.values()]
    .filter((c) => c.state === 'scheduled' && c.schedule === null && (c.scheduledAt ?? now) <= now)
    .sort((a, b) => (a.scheduledAt?.getTime() ?? 0) - (b.scheduledAt?.getTime() ?? 0))
    .slice(0, limit)
    .map(refOf);
}

/** Recurring templates whose next run is due, earliest first. */
export function recurringDue(t: MemoryTables, now: Date, limit: number): CampaignRef[] {
  return [...t.campaigns.values()]
    .filter(
      (c) =>
        c.state === 'scheduled' &&
        c.schedule?.kind === 'recurring' &&
        c.nextRunAt !== null &&
        c.nextRunAt <= now,
    )
    .sort((a, b) => (a.nextRunAt?.getTime() ?? 0) - (b.nextRunAt?.getTime() ?? 0))
    .slice(0, limit)
    .map(refOf);
}

export interface RunInput {
  templateId: string;
  key: string;
  name: string;
  at: Date;
  actor: Actor;
  nextRunAt?: Date | null;
  contactIds?: string[];
}

/** A template's run for a key, created once: a key seen before returns the run it made. */
export function createRun(t: MemoryTables, input: RunInput): { campaign: Campaign; created: boolean } {
  const template = t.campaigns.get(input.templateId);
  if (!template) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${input.templateId} not found`);
  if (input.nextRunAt !== undefined) template.nextRunAt = input.nextRunAt;
  const existing = [...t.campaigns.values()].find(
    (c) => c.runOf?.campaignId === input.templateId && c.runOf.key === input.key,
  );
  if (existing) return { campaign: structuredClone(existing), created: false };
  const run: Campaign = {
    ...structuredClone(template),
    id: t.nextId(),
    name: input.name,
    state: 'draft',
    variants: template.variants.map((v) => ({ ...structuredClone(v), id: t.nextId() })),
    scheduledAt: null,
    schedule: null,
    nextRunAt: null,
    runOf: {
      campaignId: input.templateId,
      key: input.key,
      ...(input.contactIds ? { contactIds: [...input.contactIds] } : {}),
    },
    resendOf: null,
    abState: null,
    createdAt: input.at,
    updatedAt: input.at,
    startedAt: null,
    finishedAt: null,
  };
  t.campaigns.set(run.id, run);
  audit(t, input.at, run, input.actor, 'run_created', { template: input.templateId, key: input.key });
  return { campaign: structuredClone(run), created: true };
}
