import { type FormEvent, useId, useState } from 'react';
import { useI18n } from '../i18n/locale-context.js';
import { ErrorCodes } from '../ui/error-codes.js';

interface LoginFormProps {
  checking: boolean;
  codes: readonly string[];
  onSubmit(key: string): void;
}

export function LoginForm({ checking, codes, onSubmit }: LoginFormProps) {
  const { t } = useI18n();
  const [key, setKey] = useState('');
  const inputId = useId();
  const hintId = useId();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (key.trim() !== '') onSubmit(key.trim());
  };

  return (
    <section className="card login" aria-labelledby={`${inputId}-title`}>
      <h1 id={`${inputId}-title`}>{t('login.title')}</h1>
      <p id={hintId} className="muted">
        {t('login.hint')}
      </p>
      <form onSubmit={submit}>
        <label htmlFor={inputId}>{t('login.key')}</label>
        <input
          id={inputId}
          data-testid="login-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={hintId}
          aria-invalid={codes.length > 0}
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <button
          type="submit"
          className="button button--primary"
          data-testid="login-submit"
          disabled={checking}
        >
          {checking ? t('login.checking') : t('login.submit')}
        </button>
      </form>
      <ErrorCodes codes={codes} />
    </section>
  );
}
