/** block: cannot be sent; revise: needs a change or an approver's override; warn: low risk. */
export const findingLevels = ['block', 'revise', 'warn'] as const;
export type FindingLevel = (typeof findingLevels)[number];

/** A UTF-16 range [start, end) in the original text, as a browser highlights it. */
export interface TextSpan {
  start: number;
  end: number;
}

/** A finding's structured details: numbers, strings and lists of strings, JSON as it is. */
export type FindingParams = Readonly<Record<string, string | number | readonly string[]>>;

export interface Finding {
  /** The rule that produced it (`rule:sensitive-words`). */
  rule: string;
  level: FindingLevel;
  /** A stable code for clients to branch on (`AD_LAW_ABSOLUTE_TERM`). */
  code: string;
  /** An English sentence for people reading the API; clients word a finding from `code` and `params`. */
  message: string;
  /**
   * The values the message names (the term, the limit, the domain…), by name, so a client can
   * word the finding in its own language; which names a code carries is part of its rule's contract.
   */
  params?: FindingParams;
  span?: TextSpan;
  /** The channel the finding is about, for per-channel limits. */
  channel?: string;
  /** The variant the finding is about. */
  variantId?: string;
}
