import type { CombinedError } from '@urql/core';
import { type ErrorDetail, errorDetails } from '../graphql/error-detail.js';
import { useI18n } from '../i18n/locale-context.js';

/** An API error where it happened: the code, a sentence in the UI language, and the server's message. */
export function ErrorNotice({ error, details }: { error?: CombinedError | null; details?: ErrorDetail[] }) {
  const { t, tx } = useI18n();
  const shown = details ?? errorDetails(error);
  if (shown.length === 0) return null;
  return (
    <div className="alert" role="alert">
      <strong>{t('error.title')}</strong>
      <ul>
        {shown.map(({ code, message }) => (
          <li key={`${code}:${message}`}>
            <code data-testid="error-code">{code}</code> {tx(`error.${code}`, '')}
            {message ? (
              <span className="alert__server" data-testid="error-message">
                {' '}
                {message}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A section still loading: a polite live region, so screen readers hear when it is done. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status" data-testid="loading">
      {t('list.loading')}
    </p>
  );
}
