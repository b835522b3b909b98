import type { ComplianceRule, Content, ContentCheckContext, Finding } from '@qunfa/core';
import { findPlaceholders } from './placeholders.js';
import type { TemplateContentContext } from './template-context.js';

function key(f: Finding): string {
  return [
    f.rule,
    f.code,
    f.level,
    f.channel ?? '',
    f.variantId ?? '',
    f.span?.start ?? '',
    f.span?.end ?? '',
    f.message,
  ].join('\u0000');
}

/**
 * Checks a template once, then each distinct value of each variable it interpolates once
 * (never once per recipient), and returns the findings without duplicates. A finding in a
 * value points at the variable's first placeholder in the text; it names the rule's own
 * message (the term) but never the value, which is a contact's personal data.
 * `distinctValues` maps a variable path (`name`, `attributes.city`) to its distinct values;
 * variables the template does not use are ignored.
 */
export async function checkTemplate(
  rules: readonly ComplianceRule[],
  content: Content,
  distinctValues: Readonly<Record<string, Iterable<string>>>,
  ctx: ContentCheckContext,
): Promise<Finding[]> {
  const placeholders = [...findPlaceholders(content.text), ...findPlaceholders(content.subject ?? '')];
  const firstInText = new Map<string, { start: number; end: number }>();
  for (const p of findPlaceholders(content.text)) {
    if (!firstInText.has(p.variable)) firstInText.set(p.variable, { start: p.start, end: p.end });
  }
  const values = new Map<string, Set<string>>();
  for (const { variable } of placeholders) {
    if (values.has(variable)) continue;
    const distinct = new Set<string>();
    for (const v of distinctValues[variable] ?? []) if (v !== '') distinct.add(v);
    values.set(variable, distinct);
  }
  const longestValues: Record<string, number> = {};
  for (const [variable, set] of values) {
    if (set.size > 0) longestValues[variable] = Math.max(...[...set].map((v) => [...v].length));
  }

  const seen = new Map<string, Finding>();
  const add = (f: Finding) => {
    const k = key(f);
    if (!seen.has(k)) seen.set(k, f);
  };
  const templateCtx: TemplateContentContext = { ...ctx, longestValues };
  for (const rule of rules) {
    if (!rule.checkContent) continue;
    for (const f of await rule.checkContent(content, templateCtx)) add(f);
  }
  for (const [variable, set] of values) {
    const valueCtx: TemplateContentContext = { ...ctx, variable };
    const span = firstInText.get(variable);
    for (const value of set) {
      const valueContent: Content = { type: content.type, text: value };
      for (const rule of rules) {
        if (!rule.checkContent) continue;
        for (const f of await rule.checkContent(valueContent, valueCtx)) {
          const { span: _inValue, ...rest } = f;
          add({
            ...rest,
            message: `In {{${variable}}} (a contact's value): ${f.message}`,
            ...(span ? { span } : {}),
          });
        }
      }
    }
  }
  return [...seen.values()];
}
