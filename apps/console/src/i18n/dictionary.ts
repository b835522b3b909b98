/** A tiny dictionary: UI strings per locale, Simplified Chinese by default. No i18n library. */
import { enMessages } from './messages-en.js';
import { type MessageKey, zhMessages } from './messages-zh.js';

export type { MessageKey };

export type Locale = 'zh-CN' | 'en';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

export const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = {
  'zh-CN': zhMessages,
  en: enMessages,
};

export type Translate = (key: MessageKey) => string;

/** A translator for `locale`. */
export function translator(locale: Locale): Translate {
  const dictionary = DICTIONARIES[locale];
  return (key) => dictionary[key];
}

/** A translation for a key made at run time (an enum value, a metric name), or `fallback`. */
export function translateDynamic(locale: Locale, key: string, fallback: string): string {
  const dictionary: Record<string, string> = DICTIONARIES[locale];
  return Object.hasOwn(dictionary, key) ? dictionary[key]! : fallback;
}

/** The stored locale if valid, else Simplified Chinese. */
export function parseLocale(value: string | null | undefined): Locale {
  return LOCALES.find((locale) => locale === value) ?? 'zh-CN';
}
