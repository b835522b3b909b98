import type { CombinedError } from '@urql/core';
import { useState } from 'react';
import { useClient, useSubscription } from 'urql';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorNotice } from '../ui/error-notice.js';
import {
  ContactImportProgressSubscription,
  ImportContactsMutation,
  ImportErrorReportQuery,
} from './contact-documents.js';

/** Saves `text` as a file the browser downloads (the error report), without a round trip. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** CSV import: upload, a progress bar fed by the subscription, the bad rows, the error report. */
export function ContactImport({ onFinished }: { onFinished(): void }) {
  const { t, n } = useI18n();
  const client = useClient();
  const [file, setFile] = useState<File | null>(null);
  const [allOrNothing, setAllOrNothing] = useState(false);
  const [importId, setImportId] = useState<string | null>(null);
  const [error, setError] = useState<CombinedError | null>(null);
  const [{ data }] = useSubscription(
    { query: ContactImportProgressSubscription, variables: { id: importId ?? '' }, pause: importId === null },
    (_previous, next) => {
      if (next.contactImportProgress.finishedAt) onFinished();
      return next;
    },
  );
  const progress = data?.contactImportProgress;

  const start = async () => {
    if (!file) return;
    setError(null);
    const result = await client.mutation(ImportContactsMutation, { file, allOrNothing }).toPromise();
    setError(result.error ?? null);
    if (result.data) setImportId(result.data.importContacts.id);
  };
  const report = async () => {
    if (!importId) return;
    const result = await client.query(ImportErrorReportQuery, { id: importId }).toPromise();
    if (result.data) download(`import-${importId}-errors.csv`, result.data.contactImport.errorReportCsv);
    else setError(result.error ?? null);
  };

  const done = progress?.finishedAt !== null && progress?.finishedAt !== undefined;
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t('import.title')}</h2>
      <p className="muted">{t('import.hint')}</p>
      <div className="row">
        <input
          type="file"
          accept=".csv,text/csv"
          data-testid="import-file"
          onChange={(e) => setFile(e.target.files?.[0] ?? null)}
        />
        <label>
          <input type="checkbox" checked={allOrNothing} onChange={(e) => setAllOrNothing(e.target.checked)} />{' '}
          {t('import.allOrNothing')}
        </label>
        <button
          type="button"
          className="button button--primary"
          data-testid="import-start"
          disabled={!file}
          onClick={() => void start()}
        >
          {t('import.start')}
        </button>
      </div>
      <ErrorNotice error={error} />
      {progress ? (
        <div className="import-progress" data-testid="import-progress" data-state={progress.state}>
          <progress className="progress-import" max={1} value={done ? 1 : undefined} />
          <p>
            {t(
              `import.state.${progress.state === 'running' ? 'running' : progress.state === 'completed' ? 'completed' : 'failed'}`,
            )}
            {' · '}
            {t('import.counts', {
              rows: n(progress.rows),
              created: n(progress.created),
              merged: n(progress.merged),
              failed: n(progress.failed),
            })}
          </p>
          {progress.errors.length > 0 ? (
            <>
              <table className="table" data-testid="import-errors">
                <thead>
                  <tr>
                    <th>{t('import.row')}</th>
                    <th>{t('import.field')}</th>
                    <th>{t('import.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {progress.errors.slice(0, 20).map((e) => (
                    <tr key={`${e.row}:${e.field}`}>
                      <td>{e.row}</td>
                      <td>{e.field}</td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button
                type="button"
                className="button"
                data-testid="import-report"
                onClick={() => void report()}
              >
                {t('import.report')}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
