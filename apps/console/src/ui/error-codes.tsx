import { useI18n } from '../i18n/locale-context.js';

/** Error codes from the API, each with a sentence in the UI language; the code itself is shown too. */
export function ErrorCodes({ codes }: { codes: readonly string[] }) {
  const { t, tx } = useI18n();
  if (codes.length === 0) return null;
  return (
    <div className="alert" role="alert">
      <strong>{t('error.title')}</strong>
      <ul>
        {codes.map((code) => (
          <li key={code}>
            <code data-testid="error-code">{code}</code> {tx(`error.${code}`, '')}
          </li>
        ))}
      </ul>
    </div>
  );
}
