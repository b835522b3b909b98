import { useI18n } from '../i18n/locale-context.js';
import type { OpensRow } from './breakdown-documents.js';
import { formatTimeToOpen, openRows } from './opens.js';
import { formatPercent } from './progress.js';

/** Open rate and mean time to open per channel: e-mail by its open pixel, others by read receipts. */
export function OpensPanel({ rows, openPixel }: { rows: readonly OpensRow[]; openPixel: boolean }) {
  const { t, n } = useI18n();
  const shown = openRows(rows, openPixel);
  if (shown.length === 0) return null;
  return (
    <section className="card" aria-labelledby="opens-title" data-testid="opens-panel">
      <h2 id="opens-title">{t('opens.title')}</h2>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('opens.channel')}</th>
              <th scope="col" className="num">
                {t('opens.opened')}
              </th>
              <th scope="col" className="num">
                {t('opens.rate')}
              </th>
              <th scope="col" className="num">
                {t('opens.timeToOpen')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.channel} data-testid={`opens-${r.channel}`}>
                <th scope="row">{r.channel}</th>
                <td className="num">
                  {n(r.opened)} / {n(r.reached)}
                </td>
                <td className="num">{r.openRate === null ? '—' : formatPercent(r.openRate)}</td>
                <td className="num">
                  {r.averageMsToOpen === null ? '—' : formatTimeToOpen(r.averageMsToOpen)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {openPixel ? <p className="muted">{t('opens.pixelNote')}</p> : null}
    </section>
  );
}
