/** i18next, set up for the console: flat keys ("campaign.progress"), no HTML escaping (React escapes). */
import { createInstance, type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LOCALES, type Locale } from './locale.js';
import { messagesFor } from './resources.js';

export function createI18n(locale: Locale): i18n {
  const instance = createInstance();
  void instance.use(initReactI18next).init({
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: messagesFor(l) }])),
    lng: locale,
    fallbackLng: false,
    supportedLngs: [...LOCALES],
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
    returnEmptyString: false,
    initAsync: false,
  });
  return instance;
}
