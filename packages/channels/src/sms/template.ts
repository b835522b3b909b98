import { type Content, parseSmsTemplateParams } from '@qunfa/core';

/** An SMS template send: the provider's template id and the values of its variables, in order. */
export interface SmsTemplate {
  templateId: string;
  /** `name → value`, in the order the lines gave them (Tencent Cloud takes the values positionally). */
  params: [string, string][];
}

/**
 * Reads `template` content as the SMS channels take it: `subject` the template code or id
 * (`SMS_123456` on Aliyun, `1234567` on Tencent Cloud), `text` one `name: value` line per
 * variable (rendered per recipient, so `code: {{attributes.code}}` works). A reason string when
 * the content cannot be sent as an SMS template (free text in mainland China must be a template).
 * `templates` maps a subject to the account's own id (one variant, two providers).
 */
export function readSmsTemplate(
  content: Content,
  templates: Record<string, string> = {},
): SmsTemplate | string {
  if (content.type !== 'template') {
    return `SMS needs a pre-approved template: ${content.type} content cannot be sent (name the template in subject, its variables as "name: value" lines)`;
  }
  const name = content.subject?.trim() ?? '';
  const templateId = templates[name] ?? name;
  if (templateId === '') return 'the SMS template id (subject) is empty';
  const params = parseSmsTemplateParams(content.text);
  return typeof params === 'string' ? params : { templateId, params };
}
