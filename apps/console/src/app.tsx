import { useMemo } from 'react';
import { RouterProvider } from 'react-router';
import { Provider } from 'urql';
import { LoginForm } from './auth/login-form.js';
import { SessionContext, type SessionContextValue } from './auth/session-context.js';
import { type Session, useSession } from './auth/use-session.js';
import { ViewerBar } from './auth/viewer-bar.js';
import { LocaleProvider, useI18n } from './i18n/locale-context.js';
import { createConsoleRouter } from './routing/router.js';
import { LanguageToggle } from './ui/language-toggle.js';

function Workspace({ session }: { session: Session }) {
  const value = useMemo<SessionContextValue>(
    () => ({ viewer: session.viewer, onReconnect: session.api.onReconnect }),
    [session],
  );
  const router = useMemo(() => createConsoleRouter(), []);
  return (
    <Provider value={session.api.client}>
      <SessionContext value={value}>
        <RouterProvider router={router} />
      </SessionContext>
    </Provider>
  );
}

function Console() {
  const { t } = useI18n();
  const { status, session, codes, logIn, logOut } = useSession();
  return (
    <>
      <header className="topbar">
        <a className="topbar__brand" href="#/">
          {t('app.title')}
        </a>
        <div className="topbar__end">
          {session ? <ViewerBar viewer={session.viewer} onLogOut={logOut} /> : null}
          <LanguageToggle />
        </div>
      </header>
      <main className="main">
        {status === 'authenticated' && session ? (
          <Workspace session={session} />
        ) : (
          <LoginForm checking={status === 'checking'} codes={codes} onSubmit={(key) => void logIn(key)} />
        )}
      </main>
    </>
  );
}

export function App() {
  return (
    <LocaleProvider>
      <Console />
    </LocaleProvider>
  );
}
