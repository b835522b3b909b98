import type { I18n } from '../i18n/locale-context.js';

/** What the console needs of a finding (checkContent's or a campaign's) to say it. */
export interface FindingToSay {
  rule: string;
  code: string;
  message: string;
  /** The rule's structured details, JSON from the API. */
  params?: unknown;
}

/**
 * Codes whose sentence depends on which details the rule sent: the form the params take picks
 * the text (`findingText.<CODE>.<form>`). The first form whose marker param is present wins.
 */
export const FINDING_FORMS: Readonly<Record<string, readonly { form: string; marker: string }[]>> = {
  SMS_BRACKETS: [
    { form: 'variable', marker: 'variable' },
    { form: 'template', marker: 'template' },
  ],
  SMS_TEMPLATE_PARAM_MISSING: [
    { form: 'named', marker: 'missing' },
    { form: 'positional', marker: 'expected' },
  ],
  SMS_TEMPLATE_PARAM_UNKNOWN: [
    { form: 'named', marker: 'known' },
    { form: 'positional', marker: 'expected' },
  ],
};

type Value = string | number | readonly string[];

/** The params as the rules send them (strings, numbers, lists of strings); anything else is dropped. */
function paramsOf(raw: unknown): Record<string, Value> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, Value> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value;
  }
  return out;
}

function textKeys(f: FindingToSay, params: Record<string, Value>): string[] {
  const forms = FINDING_FORMS[f.code];
  const form = forms?.find((x) => x.marker in params)?.form;
  const own = forms ? (form ? [`findingText.${f.code}.${form}`] : []) : [`findingText.${f.code}`];
  // A rule's generic sentence covers codes the console cannot list: an operator's own lexicon.
  return [...own, `findingText.${f.rule}`];
}

const placeholders = (template: string) => [...template.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);

/**
 * The finding in the operator's language: a built-in rule's finding from its code and params
 * through the catalogue; the API's message when the console does not know the code, or the
 * finding lacks a detail the sentence names (one stored before rules sent params: a sentence
 * that names none is still said).
 */
export function findingText(f: FindingToSay, i18n: Pick<I18n, 'locale' | 'tx'>): string {
  const params = paramsOf(f.params);
  const numbers = new Intl.NumberFormat(i18n.locale);
  const lists = new Intl.ListFormat(i18n.locale, { type: 'conjunction' });
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    vars[key] =
      typeof value === 'number'
        ? numbers.format(value)
        : typeof value === 'string'
          ? value
          : lists.format(value);
  }
  const say = (key: string): string | undefined => {
    const template = i18n.tx(key, '');
    if (template === '' || placeholders(template).some((name) => !(name in vars))) return undefined;
    return i18n.tx(key, '', vars);
  };
  for (const key of textKeys(f, params)) {
    const sentence = say(key);
    if (sentence === undefined) continue;
    const where = [
      params.smsTemplate !== undefined ? say('findingPart.smsTemplate') : undefined,
      params.part === 'subject' ? say('findingPart.subject') : undefined,
    ];
    return `${where.filter((w) => w !== undefined).join('')}${sentence}`;
  }
  return f.message;
}
