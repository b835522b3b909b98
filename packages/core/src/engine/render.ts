import type { Content } from '../domain/content.js';

const placeholder = /\{\{\s*(name|unsubscribe|attributes\.([^\s{}]+))\s*\}\}/g;

export interface RenderTarget {
  name: string | null;
  attributes: Record<string, unknown>;
  /** What `{{unsubscribe}}` becomes: the recipient's own unsubscribe link. */
  unsubscribeUrl?: string | undefined;
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function renderText(text: string, target: RenderTarget): string {
  return text.replace(placeholder, (_match, field: string, key: string | undefined) => {
    if (field === 'unsubscribe') return target.unsubscribeUrl ?? '';
    return key === undefined ? display(target.name) : display(target.attributes[key]);
  });
}

/** Whether the content differs per recipient (`{{name}}`, `{{attributes.key}}`, `{{unsubscribe}}`). */
export function needsPersonalisation(content: Content): boolean {
  const check = (text: string | undefined) => text !== undefined && new RegExp(placeholder.source).test(text);
  return check(content.text) || check(content.subject);
}

/** The content for one recipient; a missing value renders as an empty string. */
export function renderContent(content: Content, target: RenderTarget): Content {
  const rendered: Content = { ...content, text: renderText(content.text, target) };
  if (content.subject !== undefined) rendered.subject = renderText(content.subject, target);
  return rendered;
}
