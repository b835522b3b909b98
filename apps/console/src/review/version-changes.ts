import { fromAudienceExpression } from '../composer/audience.js';
import type { MessageKey } from '../i18n/resources.js';

/** The fields of a campaign version that an approval covers, as the review query reads them. */
export interface CampaignVersion {
  audience: unknown;
  excludeDormant: boolean;
  segment: { id: string; name: string } | null;
  variants: readonly {
    key: string;
    content: { subject: string | null; text: string };
    channelContent: readonly { channel: string; content: { subject: string | null; text: string } }[];
  }[];
  channelMode: 'FIRST' | 'ALL';
  channelPlan: readonly {
    channel: string;
    failover: readonly string[];
    escalateAfterMs: number | null;
    escalateUnless: string | null;
  }[];
  scheduledAt: string | null;
  schedule: { kind: string; cron: string | null; timeZone: string | null } | null;
  quietHours: { mode: string; enabled: boolean; start: string | null; end: string | null };
  batchIntervalMs: number;
  sendWindowMs: number | null;
}

export type VersionPart = 'content' | 'audience' | 'channels' | 'schedule';
export const VERSION_PARTS: readonly VersionPart[] = ['content', 'audience', 'channels', 'schedule'];

/** One thing a reviewer reads about a version: a label and its value; `text` values are diffed by character. */
interface VersionLine {
  part: VersionPart;
  key: string;
  label: string;
  value: string;
  text: boolean;
}

/** A line that differs between the approved version (`before`) and the one under review (`after`); null: absent there. */
export interface VersionChange extends Omit<VersionLine, 'value'> {
  before: string | null;
  after: string | null;
}

/** How the lines are worded: the console's translations, tag names, dates in the workspace zone. */
export interface Wording {
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  tx(key: string, fallback: string): string;
  tagName(id: string): string;
  dateTime(iso: string): string;
}

function describeAudience(v: CampaignVersion, w: Wording): string {
  const m = fromAudienceExpression(v.audience);
  if (!m) return JSON.stringify(v.audience);
  const parts: string[] = [];
  const names = (ids: string[]) => ids.map(w.tagName);
  if (m.include.length > 0)
    parts.push(names(m.include).join(m.combine === 'and' ? w.t('diff.and') : w.t('diff.or')));
  for (const tag of names(m.exclude)) parts.push(w.t('diff.not', { tag }));
  if (m.province) parts.push(`${w.t('audience.province')} ${m.province}`);
  if (m.city) parts.push(`${w.t('audience.city')} ${m.city}`);
  if (m.device) parts.push(`${w.t('audience.device')} ${m.device}`);
  if (m.activeWithinDays !== null) parts.push(w.t('diff.activeWithin', { days: m.activeWithinDays }));
  for (const a of m.attributes) parts.push(`${a.key} = ${a.value}`);
  return parts.length === 0 ? w.t('diff.everyone') : parts.join(w.t('diff.and'));
}

function describeStep(step: CampaignVersion['channelPlan'][number], w: Wording): string {
  const notes: string[] = [];
  if (step.failover.length > 0) notes.push(w.t('diff.failover', { channels: step.failover.join(', ') }));
  if (step.escalateAfterMs !== null) {
    const receipt = step.escalateUnless === 'READ' ? w.t('funnel.read') : w.t('funnel.delivered');
    notes.push(w.t('diff.escalate', { minutes: Math.round(step.escalateAfterMs / 60_000), receipt }));
  }
  return notes.length === 0 ? step.channel : `${step.channel} (${notes.join('; ')})`;
}

function describeWhen(v: CampaignVersion, w: Wording): string {
  if (v.schedule?.kind === 'RECURRING')
    return `${w.t('schedule.recurring')} ${v.schedule.cron ?? ''} ${v.schedule.timeZone ?? ''}`.trim();
  if (v.schedule?.kind === 'TRIGGERED') return w.t('schedule.triggered');
  if (v.scheduledAt) return `${w.t('schedule.at')} ${w.dateTime(v.scheduledAt)}`;
  return w.t('schedule.now');
}

function describePace(v: CampaignVersion, w: Wording): string {
  if (v.sendWindowMs !== null)
    return `${w.t('pacing.window')}: ${w.t('diff.minutes', { count: Math.round(v.sendWindowMs / 60_000) })}`;
  return `${w.t('pacing.interval')}: ${w.t('diff.seconds', { count: v.batchIntervalMs / 1000 })}`;
}

function describeQuiet(v: CampaignVersion, w: Wording): string {
  const q = v.quietHours;
  const mode = w.tx(`quiet.mode.${q.mode}`, q.mode);
  return q.enabled ? `${mode} ${q.start}–${q.end}` : `${mode} (${w.tx('quiet.mode.OFF', 'off')})`;
}

/** Everything an approval covers, one labelled line each, in the order a reviewer reads it. */
function versionLines(v: CampaignVersion, w: Wording): VersionLine[] {
  const lines: VersionLine[] = [];
  const line = (part: VersionPart, key: string, label: string, value: string, text = false) =>
    lines.push({ part, key, label, value, text });
  for (const variant of v.variants) {
    const name = w.t('composer.variant', { key: variant.key });
    const contents = [
      { channel: null as string | null, content: variant.content },
      ...variant.channelContent,
    ];
    for (const { channel, content } of contents) {
      const label = channel === null ? name : `${name} · ${channel}`;
      const key = `variant:${variant.key}:${channel ?? '*'}`;
      if (content.subject)
        line('content', `${key}:subject`, `${label} · ${w.t('composer.subject')}`, content.subject);
      line('content', key, label, content.text, true);
    }
  }
  line('audience', 'segment', w.t('audience.segment'), v.segment?.name ?? '—');
  line('audience', 'rule', w.t('diff.rule'), describeAudience(v, w));
  line(
    'audience',
    'dormant',
    w.t('audience.excludeDormant'),
    v.excludeDormant ? w.t('diff.yes') : w.t('diff.no'),
  );
  line('channels', 'mode', w.t('plan.mode'), w.t(`plan.mode.short.${v.channelMode}`));
  // All channels send together; first-that-reaches falls back in order.
  const joiner = v.channelMode === 'ALL' ? ' + ' : ' → ';
  line('channels', 'plan', w.t('composer.plan'), v.channelPlan.map((s) => s.channel).join(joiner));
  for (const step of v.channelPlan)
    line('channels', `step:${step.channel}`, step.channel, describeStep(step, w));
  line('schedule', 'when', w.t('schedule.when'), describeWhen(v, w));
  line('schedule', 'pace', w.t('pacing.mode'), describePace(v, w));
  line('schedule', 'quiet', w.t('quiet.title'), describeQuiet(v, w));
  return lines;
}

/** What differs between the last approved version and the one under review, line by line. */
export function versionChanges(
  approved: CampaignVersion,
  current: CampaignVersion,
  w: Wording,
): VersionChange[] {
  const before = versionLines(approved, w);
  const after = versionLines(current, w);
  const beforeByKey = new Map(before.map((l) => [l.key, l]));
  const afterKeys = new Set(after.map((l) => l.key));
  const changes: VersionChange[] = [];
  for (const l of after) {
    const old = beforeByKey.get(l.key);
    if (old?.value === l.value) continue;
    changes.push({
      part: l.part,
      key: l.key,
      label: l.label,
      text: l.text,
      before: old?.value ?? null,
      after: l.value,
    });
  }
  for (const l of before) {
    if (afterKeys.has(l.key)) continue;
    changes.push({ part: l.part, key: l.key, label: l.label, text: l.text, before: l.value, after: null });
  }
  return VERSION_PARTS.flatMap((part) => changes.filter((c) => c.part === part));
}
