import type { Actor, Campaign } from '../domain/campaign.js';
import { isQunfaError, QunfaError } from '../errors.js';
import { nextCronTime, parseCron } from '../schedule/cron.js';
import type { CampaignCommandInput, EngineContext } from './deps.js';

type Start = (input: CampaignCommandInput) => Promise<{ campaign: Campaign }>;

/** A template's next recurring run after `after`; null for a triggered template. */
export function nextRunOf(template: Campaign, after: Date): Date | null {
  const schedule = template.schedule;
  if (schedule?.kind !== 'recurring') return null;
  return nextCronTime(parseCron(schedule.cron), after, schedule.timeZone);
}

function runName(template: Campaign, key: string): string {
  return `${template.name} · ${key}`;
}

/**
 * Creates the run of a template for a key and starts it — once: a key seen before returns
 * the run it made, started or not, and never starts a second one.
 */
export async function startRun(
  ctx: EngineContext,
  start: Start,
  template: Campaign,
  key: string,
  actor: Actor,
  nextRunAt?: Date | null,
  contactIds?: string[],
): Promise<Campaign> {
  const { campaign, created } = await ctx.store.createRun({
    templateId: template.id,
    key,
    name: runName(template, key),
    at: ctx.clock.now(),
    actor,
    ...(nextRunAt === undefined ? {} : { nextRunAt }),
    ...(contactIds ? { contactIds } : {}),
  });
  if (!created) return campaign;
  return (await start({ workspaceId: campaign.workspaceId, campaignId: campaign.id, actor })).campaign;
}

/** Fires a recurring template whose time has come; the next fire time is after now (missed ones are skipped). */
export async function fireRecurring(
  ctx: EngineContext,
  start: Start,
  template: Campaign,
  actor: Actor,
): Promise<void> {
  const due = template.nextRunAt;
  if (!due) return;
  const next = nextRunOf(template, ctx.clock.now());
  try {
    await startRun(ctx, start, template, due.toISOString(), actor, next);
  } catch (error) {
    // A run its rules block stays a draft for an operator; the template goes on.
    await ctx.store.setNextRunAt(template.id, next);
    ctx.logger.error('a recurring run could not start', {
      campaignId: template.id,
      code: isQunfaError(error) ? error.code : undefined,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function assertTriggerable(template: Campaign): void {
  if (!template.schedule || template.state !== 'scheduled') {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      'only a started template (a campaign with a schedule) can be triggered',
      {
        details: { from: template.state, command: 'trigger' },
      },
    );
  }
}

/** An API call asks a template for a run; the idempotency key makes a repeated call harmless. */
export async function triggerRun(
  ctx: EngineContext,
  start: Start,
  template: Campaign,
  idempotencyKey: string,
  actor: Actor,
): Promise<Campaign> {
  assertTriggerable(template);
  return startRun(ctx, start, template, `trigger:${idempotencyKey}`, actor);
}

/**
 * A follow-up of a started template for one contact (an "interested" reply): a run whose
 * audience is the template's narrowed to that contact, once per key — the same key (one per
 * contact and attributed campaign) returns the run it made and never sends twice.
 */
export async function followUpRun(
  ctx: EngineContext,
  start: Start,
  template: Campaign,
  input: { key: string; contactId: string },
  actor: Actor,
): Promise<Campaign> {
  assertTriggerable(template);
  return startRun(ctx, start, template, `follow-up:${input.key}`, actor, undefined, [input.contactId]);
}
