/**
 * What an SMS channel tells the content rules about itself (`ChannelLimits.sms`): in mainland
 * China an SMS is a pre-approved template (短信模板) sent under an approved sign name (签名).
 */
export interface SmsProfile {
  /** The sign name the provider prefixes as `【sign】`; carriers bill it as part of the text. */
  signName: string;
  /** The account's approved templates by the name a variant gives (its `subject`); may be empty. */
  templates: Record<string, SmsTemplateSpec>;
}

/** One approved template of an SMS account. */
export interface SmsTemplateSpec {
  /** The provider's template code or id (`SMS_154950909`, `1234567`). */
  id: string;
  /**
   * The approved text with its placeholders, when known: `${name}` (Aliyun) or `{1}`, `{2}`
   * (Tencent Cloud, positional). Without it parameters and length are not checked before start.
   */
  text?: string;
  /** The provider's template type: marketing (推广) needs an opt-out; notification and verification do not. */
  kind?: 'marketing' | 'notification' | 'verification';
}

/** The variables an SMS template text asks for: named (`${code}`) or positional (`{1}`, by count). */
export type SmsTemplateVariables = { kind: 'named'; names: string[] } | { kind: 'positional'; count: number };

const named = /\$\{([^{}\s]+)\}/g;
const positional = /\{(\d{1,2})\}/g;

export function smsTemplateVariables(text: string): SmsTemplateVariables {
  const names = [...new Set([...text.matchAll(named)].map((m) => m[1]!))];
  if (names.length > 0) return { kind: 'named', names };
  const indexes = [...text.matchAll(positional)].map((m) => Number(m[1]));
  return { kind: 'positional', count: indexes.length === 0 ? 0 : Math.max(...indexes) };
}

/**
 * Reads the `name: value` lines of `template` content (blank lines skipped), in order; a string
 * naming the first line that is not of that form.
 */
export function parseSmsTemplateParams(text: string): [string, string][] | string {
  const params: [string, string][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return `template variable line "${line.slice(0, 40)}" is not "name: value"`;
    params.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return params;
}

/** The template a variant's `subject` names on this profile: by its name, else by its provider id. */
export function findSmsTemplate(profile: SmsProfile, subject: string): SmsTemplateSpec | undefined {
  return profile.templates[subject] ?? Object.values(profile.templates).find((t) => t.id === subject);
}

/**
 * The template text with each variable replaced by the value its line maps to (named by name,
 * positional by order); a variable without a value stays as written.
 */
export function fillSmsTemplate(text: string, params: readonly [string, string][]): string {
  const byName = new Map(params);
  if (smsTemplateVariables(text).kind === 'named')
    return text.replace(named, (whole, name: string) => byName.get(name) ?? whole);
  return text.replace(positional, (whole, index: string) => params[Number(index) - 1]?.[1] ?? whole);
}
