/** block: cannot be sent; revise: needs a change or an approver's override; warn: low risk. */
export const findingLevels = ['block', 'revise', 'warn'] as const;
export type FindingLevel = (typeof findingLevels)[number];

/** A UTF-16 range [start, end) in the original text, as a browser highlights it. */
export interface TextSpan {
  start: number;
  end: number;
}

export interface Finding {
  /** The rule that produced it (`rule:sensitive-words`). */
  rule: string;
  level: FindingLevel;
  /** A stable code for clients to branch on (`AD_LAW_ABSOLUTE_TERM`). */
  code: string;
  message: string;
  span?: TextSpan;
  /** The channel the finding is about, for per-channel limits. */
  channel?: string;
  /** The variant the finding is about. */
  variantId?: string;
}
