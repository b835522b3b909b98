/**
 * What WeChat says when it throttles or restricts an account, as puppets pass it on. No puppet
 * documents risk codes; these are the client's words (seed 001: "操作频繁") and their English.
 */
export const defaultRiskPatterns: readonly string[] = [
  '操作频繁',
  '操作过于频繁',
  '频繁',
  '风险',
  '被限制',
  '限制登录',
  '封号',
  'too frequent',
  'risk control',
  'account restricted',
];

/** Whether an error a puppet threw is a risk signal: its message or code matches. */
export function isRiskSignal(
  error: unknown,
  patterns: readonly string[],
  codes: readonly (string | number)[],
): boolean {
  const e = error as { message?: unknown; code?: unknown; details?: unknown } | null;
  const text =
    `${e?.message ?? ''} ${e?.details ?? ''} ${typeof error === 'string' ? error : ''}`.toLowerCase();
  if (patterns.some((p) => text.includes(p.toLowerCase()))) return true;
  return e?.code !== undefined && codes.includes(e.code as string | number);
}
