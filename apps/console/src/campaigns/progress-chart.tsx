import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useSessionContext } from '../auth/session-context.js';
import { formatClock } from '../format/date-time.js';
import { useI18n } from '../i18n/locale-context.js';
import type { ProgressSample } from './finish-estimate.js';

/** Settled recipients over time, as seen since this page opened. */
export function ProgressChart({ samples, total }: { samples: readonly ProgressSample[]; total: number }) {
  const { t, locale } = useI18n();
  const { viewer } = useSessionContext();
  if (samples.length < 2) return null;
  // The workspace's time zone, as every other time on the page.
  const time = { format: (ms: number) => formatClock(ms, locale, viewer.workspace.timeZone) };
  return (
    <section className="card" aria-labelledby="progress-chart-title">
      <h2 id="progress-chart-title">{t('progressChart.title')}</h2>
      <div aria-hidden="true">
        <ResponsiveContainer width="100%" height={160}>
          <LineChart data={[...samples]} margin={{ left: 0, right: 16, top: 8, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#d8dee4" />
            <XAxis
              dataKey="atMs"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(ms: number) => time.format(ms)}
            />
            <YAxis domain={[0, Math.max(1, total)]} width={48} />
            <Tooltip labelFormatter={(ms) => time.format(Number(ms))} />
            <Line
              type="stepAfter"
              dataKey="settled"
              name={t('counter.settled')}
              stroke="#1a56db"
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="muted">{t('progressChart.note')}</p>
    </section>
  );
}
