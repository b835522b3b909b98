import { formatPercent, formatProgress, progressPercent } from './progress.js';

interface ProgressBarProps {
  settled: number;
  total: number;
  label: string;
  testId?: string;
  compact?: boolean;
}

/** Settled recipients out of the total, as an ARIA progress bar. */
export function ProgressBar({ settled, total, label, testId, compact = false }: ProgressBarProps) {
  const percent = progressPercent(settled, total);
  return (
    <div className={compact ? 'progress progress--compact' : 'progress'}>
      <div
        className="progress__track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={settled}
        aria-valuetext={formatProgress(settled, total)}
        data-testid={testId}
      >
        <div className="progress__fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress__text">
        {settled}/{total}
        {compact ? null : <span className="muted"> · {formatPercent(percent)}</span>}
      </span>
    </div>
  );
}
