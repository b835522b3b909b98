import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import type { Counters } from '../graphql/types.js';
import { useI18n } from '../i18n/locale-context.js';
import { funnelOf, shareOfPlanned } from './funnel.js';

const STAGE_COLOURS = ['#8c959f', '#1a56db', '#1a7f37', '#0b7285', '#6f42c1'];

/** Planned → sent → delivered → read → clicked, each recipient once; the rest beside it. */
export function FunnelPanel({ counters }: { counters: Counters }) {
  const { t, n, pct } = useI18n();
  const { stages, side } = funnelOf(counters);
  const data = stages.map((s) => ({ ...s, label: t(`funnel.${s.stage}`) }));
  const sideRows = [
    ['pending', side.pending],
    ['failed', side.failed],
    ['suppressed', side.suppressed],
    ['filtered', side.filtered],
    ['uncertain', side.uncertain],
  ] as const;
  return (
    <section className="card funnel" aria-labelledby="funnel-title">
      <h2 id="funnel-title">{t('funnel.title')}</h2>
      <div className="funnel__body">
        <div className="funnel__chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={data} layout="vertical" margin={{ left: 8, right: 48, top: 4, bottom: 4 }}>
              <XAxis type="number" hide domain={[0, Math.max(1, counters.total)]} />
              <YAxis type="category" dataKey="label" width={80} tickLine={false} axisLine={false} />
              <Bar dataKey="count" isAnimationActive={false} radius={[0, 4, 4, 0]}>
                {data.map((d, i) => (
                  <Cell key={d.stage} fill={STAGE_COLOURS[i]} />
                ))}
                <LabelList dataKey="count" position="right" formatter={(v: unknown) => n(Number(v))} />
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
        <table className="funnel__table">
          <tbody>
            {stages.map((s) => (
              <tr key={s.stage} data-testid={`funnel-${s.stage}`} data-count={s.count}>
                <th scope="row">{t(`funnel.${s.stage}`)}</th>
                <td>{n(s.count)}</td>
                <td className="muted">{pct(shareOfPlanned(s.count, counters.total))}</td>
              </tr>
            ))}
          </tbody>
          <tbody className="funnel__side">
            {sideRows.map(([name, count]) => (
              <tr
                key={name}
                data-testid={`funnel-${name}`}
                data-count={count}
                className={count > 0 ? `side--${name}` : ''}
              >
                <th scope="row">{t(`funnel.${name}`)}</th>
                <td>{n(count)}</td>
                <td className="muted">{pct(shareOfPlanned(count, counters.total))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
