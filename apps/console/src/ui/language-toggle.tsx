import { useI18n } from '../i18n/locale-context.js';

/** Switches between Simplified Chinese and English; the button names the other language. */
export function LanguageToggle() {
  const { locale, setLocale, t } = useI18n();
  const other = locale === 'zh-CN' ? 'en' : 'zh-CN';
  return (
    <button
      type="button"
      className="button button--ghost"
      lang={other}
      aria-label={t('app.languageLabel')}
      data-testid="language-toggle"
      onClick={() => setLocale(other)}
    >
      {t('app.language')}
    </button>
  );
}
