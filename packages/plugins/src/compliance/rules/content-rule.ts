import type { ComplianceRule, Content, ContentCheckContext, Finding } from '@qunfa/core';

/** A compliance rule whose content check is synchronous and always present, as the built-in ones are. */
export type ContentRule = Omit<ComplianceRule, 'checkContent'> & {
  checkContent(content: Content, ctx: ContentCheckContext): Finding[];
};
