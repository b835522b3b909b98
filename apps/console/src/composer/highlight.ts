export interface SpannedFinding {
  level: 'BLOCK' | 'REVISE' | 'WARN';
  span: { start: number; end: number } | null;
}

export interface TextPiece<F> {
  text: string;
  start: number;
  /** Findings whose span covers this piece; the highest level first. */
  findings: F[];
}

const RANK = { BLOCK: 0, REVISE: 1, WARN: 2 } as const;

/**
 * Cuts `text` at every span boundary (UTF-16 offsets, as the API gives them), so overlapping
 * findings each mark their own part; pieces without a finding are kept too.
 */
export function highlightPieces<F extends SpannedFinding>(
  text: string,
  findings: readonly F[],
): TextPiece<F>[] {
  const spanned = findings.filter(
    (f): f is F & { span: { start: number; end: number } } =>
      f.span !== null && f.span.end > f.span.start && f.span.start < text.length,
  );
  const cuts = new Set([0, text.length]);
  for (const f of spanned) {
    cuts.add(Math.max(0, f.span.start));
    cuts.add(Math.min(text.length, f.span.end));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: TextPiece<F>[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const covering = spanned
      .filter((f) => f.span.start <= start && f.span.end >= end)
      .sort((a, b) => RANK[a.level] - RANK[b.level]);
    pieces.push({ text: text.slice(start, end), start, findings: covering });
  }
  return pieces;
}
