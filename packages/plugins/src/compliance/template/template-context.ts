import type { ContentCheckContext } from '@qunfa/core';

/** What `checkTemplate` tells the rules beyond the kernel's context. */
export interface TemplateContentContext extends ContentCheckContext {
  /** Set when the content checked is one distinct value of this variable, not a whole message. */
  variable?: string;
  /** The longest distinct value of each variable, in code points, for length rules. */
  longestValues?: Record<string, number>;
}
