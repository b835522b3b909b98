import { Link, useLocation } from 'react-router';
import { useI18n } from '../i18n/locale-context.js';

/** Any address the console does not know: says so, and offers the way back. */
export function NotFound() {
  const { t } = useI18n();
  const location = useLocation();
  return (
    <section className="card" data-testid="not-found">
      <h1>{t('notFound.title')}</h1>
      <p className="muted">
        {t('notFound.body')} <code>#{location.pathname}</code>
      </p>
      <Link to="/">{t('notFound.back')}</Link>
    </section>
  );
}
