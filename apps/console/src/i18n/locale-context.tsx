import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { I18nextProvider } from 'react-i18next';
import { createI18n } from './i18n.js';
import { type Locale, parseLocale } from './locale.js';
import type { MessageKey } from './resources.js';

const STORAGE_KEY = 'qunfa.console.locale';

export type Vars = Record<string, string | number>;

export interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, vars?: Vars): string;
  /** Translates a key built at run time, e.g. `state.${state}`, falling back to `fallback`. */
  tx(key: string, fallback: string, vars?: Vars): string;
  /** A number by locale. */
  n(value: number, options?: Intl.NumberFormatOptions): string;
  /** A share 0–1 as a percentage by locale. */
  pct(value: number | null | undefined, digits?: number): string;
}

const I18nContext = createContext<I18n | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(() => parseLocale(localStorage.getItem(STORAGE_KEY)));
  const i18n = useMemo(() => createI18n(locale), [locale]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);

  const value = useMemo<I18n>(() => {
    const numbers = new Intl.NumberFormat(locale);
    return {
      locale,
      setLocale,
      t: (key, vars) => i18n.t(key, vars ?? {}),
      tx: (key, fallback, vars) => (i18n.exists(key) ? i18n.t(key, vars ?? {}) : fallback),
      n: (value, options) =>
        options ? new Intl.NumberFormat(locale, options).format(value) : numbers.format(value),
      pct: (value, digits = 1) =>
        value === null || value === undefined || Number.isNaN(value)
          ? '—'
          : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(value),
    };
  }, [i18n, locale, setLocale]);
  return (
    <I18nextProvider i18n={i18n}>
      <I18nContext value={value}>{children}</I18nContext>
    </I18nextProvider>
  );
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n must be used inside <LocaleProvider>');
  return value;
}
