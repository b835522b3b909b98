import { channelModeProblem } from '@qunfa/core/campaign';
import type { VariablesOf } from '../graphql/graphql.js';
import type { CampaignDetail } from '../graphql/types.js';
import {
  type AudienceModel,
  EMPTY_AUDIENCE,
  fromAudienceExpression,
  toAudienceExpression,
} from './audience.js';
import type { CreateCampaignMutation } from './composer-documents.js';

export type CampaignInput = VariablesOf<typeof CreateCampaignMutation>['input'];

/** Content as the editor writes it: a type, an optional subject (e-mail, SMS template name, link title), the text. */
export interface ContentDraft {
  /** Names the editor's fields: the variant's key, or `<key>:<channel>` for a step's own content. */
  key: string;
  type: string;
  subject: string;
  text: string;
}

/** A plan step's own content in a variant: what that channel sends instead of the variant's content. */
export interface ChannelContentDraft {
  channel: string;
  type: string;
  subject: string;
  text: string;
}

export interface VariantDraft extends ContentDraft {
  /** Steps with content of their own; the others send the variant's content. */
  channelContent: ChannelContentDraft[];
}

export interface PlanStepDraft {
  channel: string;
  /** Move on to the next step after this many minutes without the receipt; null: only on failure. */
  escalateAfterMinutes: number | null;
  escalateUnless: 'DELIVERED' | 'READ';
  /** Other providers of the channel, comma-separated, for outages only. */
  failover: string;
}

export interface ComposerDraft {
  name: string;
  variants: VariantDraft[];
  abEnabled: boolean;
  ab: {
    testPercent: number;
    winnerMetric: 'CLICK_RATE' | 'OPEN_RATE' | 'DELIVERY_RATE';
    winnerSelection: 'AUTO' | 'CONFIRM';
    decisionDelayMinutes: number;
  };
  audience: AudienceModel;
  /** An expression this builder cannot show; kept as it is unless the operator starts over. */
  rawAudience: unknown;
  excludeDormant: boolean;
  plan: PlanStepDraft[];
  /** FIRST: the first step that reaches each person; ALL: every step that reaches them. */
  channelMode: 'FIRST' | 'ALL';
  schedule: { kind: 'now' | 'at' | 'recurring' | 'triggered'; at: string; cron: string };
  pacing: { mode: 'interval' | 'window'; batchIntervalSeconds: number; sendWindowMinutes: number };
  quietHours: { mode: 'INHERIT' | 'OFF' | 'WINDOW'; start: string; end: string };
}

export function emptyDraft(channel: string | null): ComposerDraft {
  return {
    name: '',
    variants: [{ key: 'A', type: 'text', subject: '', text: '', channelContent: [] }],
    abEnabled: false,
    ab: {
      testPercent: 20,
      winnerMetric: 'CLICK_RATE',
      winnerSelection: 'CONFIRM',
      decisionDelayMinutes: 240,
    },
    audience: EMPTY_AUDIENCE,
    rawAudience: null,
    excludeDormant: false,
    plan: channel ? [{ channel, escalateAfterMinutes: null, escalateUnless: 'DELIVERED', failover: '' }] : [],
    channelMode: 'FIRST',
    schedule: { kind: 'now', at: '', cron: '0 10 * * 1-5' },
    pacing: { mode: 'interval', batchIntervalSeconds: 0, sendWindowMinutes: 60 },
    quietHours: { mode: 'INHERIT', start: '22:00', end: '08:00' },
  };
}

const VARIANT_KEYS = ['A', 'B', 'C'] as const;

/** Turns the A/B test on (two variants, B copied from A) or off (A alone). */
export function withAbTest(draft: ComposerDraft, enabled: boolean): ComposerDraft {
  if (!enabled) return { ...draft, abEnabled: false, variants: draft.variants.slice(0, 1) };
  const [a] = draft.variants;
  const variants = draft.variants.length >= 2 ? draft.variants : [a!, { ...a!, key: 'B' }];
  return { ...draft, abEnabled: true, variants };
}

export function addVariant(draft: ComposerDraft): ComposerDraft {
  if (draft.variants.length >= VARIANT_KEYS.length) return draft;
  const key = VARIANT_KEYS[draft.variants.length]!;
  return { ...draft, variants: [...draft.variants, { ...draft.variants[0]!, key }] };
}

function failoverOf(step: PlanStepDraft): string[] {
  return step.failover
    .split(/[,，\s]+/)
    .map((f) => f.trim())
    .filter(Boolean);
}

/** What the API's all-channels check reads of a draft: the kernel's shape of its plan, mode and A/B test. */
export function channelModeSubject(d: ComposerDraft): Parameters<typeof channelModeProblem>[0] {
  return {
    channelMode: d.channelMode === 'ALL' ? 'all' : 'first',
    channelPlan: d.plan.map((s) => ({
      channel: s.channel,
      failover: failoverOf(s),
      ...(s.escalateAfterMinutes !== null && s.escalateAfterMinutes > 0
        ? { escalateAfter: { ms: s.escalateAfterMinutes * 60_000, unless: 'delivered' as const } }
        : {}),
    })),
    // Only the test's presence matters to the check.
    abTest: (d.abEnabled && d.variants.length >= 2 ? {} : null) as never,
  };
}

/** What the API would refuse in the draft's channel plan for its mode, found before saving (the kernel's own check). */
export function planProblem(d: ComposerDraft): ChannelModeProblem | null {
  const problem = channelModeProblem(channelModeSubject(d));
  if (!problem) return null;
  if (problem.field === 'abTest') return { kind: 'abTest' };
  const step = Number(/^channelPlan\.(\d+)/.exec(problem.field)?.[1] ?? 0);
  const channel = d.plan[step]?.channel ?? '';
  if (problem.field.endsWith('.escalateAfterMs')) return { kind: 'escalation', step: step + 1, channel };
  // The name that meets itself: the step's own or one of its failover providers.
  const seen = new Set(d.plan.slice(0, step).flatMap((s) => [s.channel, ...failoverOf(s)]));
  const names = [channel, ...failoverOf(d.plan[step]!)];
  const twice = names.find((n, i) => seen.has(n) || names.indexOf(n) !== i) ?? channel;
  return { kind: 'twice', step: step + 1, channel: twice };
}

export type ChannelModeProblem =
  | { kind: 'abTest' }
  | { kind: 'escalation'; step: number; channel: string }
  | { kind: 'twice'; step: number; channel: string };

function contentInput(c: { type: string; subject: string; text: string }) {
  return { type: c.type, text: c.text, ...(c.subject.trim() ? { subject: c.subject.trim() } : {}) };
}

/** The createCampaign / updateCampaign input for this draft. */
export function toCampaignInput(d: ComposerDraft): CampaignInput {
  const steps = new Set(d.plan.map((s) => s.channel));
  const input: CampaignInput = {
    name: d.name.trim(),
    variants: d.variants.map((v) => {
      // Content of a step no longer in the plan is left out: the API refuses it.
      const own = v.channelContent.filter((c) => steps.has(c.channel));
      return {
        key: v.key,
        content: contentInput(v),
        ...(own.length > 0
          ? { channelContent: own.map((c) => ({ channel: c.channel, content: contentInput(c) })) }
          : {}),
      };
    }),
    channelPlan: d.plan.map((s) => ({
      channel: s.channel,
      ...(s.escalateAfterMinutes !== null && s.escalateAfterMinutes > 0
        ? { escalateAfterMs: Math.round(s.escalateAfterMinutes * 60_000), escalateUnless: s.escalateUnless }
        : {}),
      failover: failoverOf(s),
    })),
    channelMode: d.channelMode,
    excludeDormant: d.excludeDormant,
    quietHours:
      d.quietHours.mode === 'WINDOW'
        ? { mode: 'WINDOW', start: d.quietHours.start, end: d.quietHours.end }
        : { mode: d.quietHours.mode },
  };
  if (d.audience.segmentId) input.segmentId = d.audience.segmentId;
  else input.audience = d.rawAudience ?? toAudienceExpression(d.audience);
  if (d.pacing.mode === 'window') input.sendWindowMs = Math.round(d.pacing.sendWindowMinutes * 60_000);
  else input.batchIntervalMs = Math.round(d.pacing.batchIntervalSeconds * 1000);
  if (d.schedule.kind === 'at' && d.schedule.at) input.scheduledAt = new Date(d.schedule.at).toISOString();
  if (d.schedule.kind === 'recurring') input.schedule = { kind: 'RECURRING', cron: d.schedule.cron };
  if (d.schedule.kind === 'triggered') input.schedule = { kind: 'TRIGGERED' };
  if (d.abEnabled && d.variants.length >= 2) {
    input.abTest = {
      testPercent: d.ab.testPercent,
      winnerMetric: d.ab.winnerMetric,
      winnerSelection: d.ab.winnerSelection,
      decisionDelayMs: Math.round(d.ab.decisionDelayMinutes * 60_000),
    };
  }
  return input;
}

function localDateTime(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A draft campaign read back into the composer. */
export function draftFromCampaign(c: CampaignDetail): ComposerDraft {
  const base = emptyDraft(null);
  const model = c.segment
    ? { ...EMPTY_AUDIENCE, segmentId: c.segment.id }
    : fromAudienceExpression(c.audience);
  return {
    ...base,
    name: c.name,
    variants: c.variants.map((v) => ({
      key: v.key,
      type: v.content.type,
      subject: v.content.subject ?? '',
      text: v.content.text,
      channelContent: v.channelContent.map((c) => ({
        channel: c.channel,
        type: c.content.type,
        subject: c.content.subject ?? '',
        text: c.content.text,
      })),
    })),
    abEnabled: c.abTest !== null,
    ab: c.abTest
      ? { ...base.ab, winnerMetric: c.abTest.winnerMetric, winnerSelection: c.abTest.winnerSelection }
      : base.ab,
    audience: model ?? EMPTY_AUDIENCE,
    rawAudience: model ? null : c.audience,
    excludeDormant: c.excludeDormant,
    plan: c.channelPlan.map((s) => ({
      channel: s.channel,
      escalateAfterMinutes: s.escalateAfterMs === null ? null : s.escalateAfterMs / 60_000,
      escalateUnless: s.escalateUnless ?? 'DELIVERED',
      failover: s.failover.join(', '),
    })),
    channelMode: c.channelMode,
    schedule: c.scheduledAt
      ? { ...base.schedule, kind: 'at', at: localDateTime(c.scheduledAt) }
      : base.schedule,
    pacing: c.sendWindowMs
      ? { ...base.pacing, mode: 'window', sendWindowMinutes: c.sendWindowMs / 60_000 }
      : { ...base.pacing, batchIntervalSeconds: c.batchIntervalMs / 1000 },
    quietHours: {
      mode: c.quietHours.mode,
      start: c.quietHours.start ?? base.quietHours.start,
      end: c.quietHours.end ?? base.quietHours.end,
    },
  };
}
