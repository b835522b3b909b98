import { useI18n } from '../i18n/locale-context.js';
import { findingText } from '../ui/finding-text.js';
import { highlightPieces } from './highlight.js';
import type { ContentFinding } from './use-content-check.js';

/** The text with each finding's span marked by level; hovering (or focusing) a mark shows level and reason. */
export function HighlightedText({ text, findings }: { text: string; findings: readonly ContentFinding[] }) {
  const i18n = useI18n();
  const { tx } = i18n;
  return (
    <div className="highlighted" data-testid="highlighted-text">
      {highlightPieces(text, findings).map((piece) => {
        const top = piece.findings[0];
        if (!top) return <span key={piece.start}>{piece.text}</span>;
        const reason = piece.findings
          .map(
            (f) =>
              `${tx(`level.${f.level}`, f.level)} · ${tx(`finding.${f.code}`, f.code)}: ${findingText(f, i18n)}`,
          )
          .join('\n');
        return (
          <mark
            key={piece.start}
            className={`level--${top.level.toLowerCase()}`}
            data-level={top.level}
            data-code={top.code}
            title={reason}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a mark is focusable so its reason can be read without a mouse
            tabIndex={0}
          >
            {piece.text}
          </mark>
        );
      })}
    </div>
  );
}
