import { useMemo } from 'react';
import { Provider } from 'urql';
import { LoginForm } from './auth/login-form.js';
import { SessionContext, type SessionContextValue } from './auth/session-context.js';
import { type Session, useSession } from './auth/use-session.js';
import { ViewerBar } from './auth/viewer-bar.js';
import { CampaignList } from './campaigns/campaign-list.js';
import { CampaignPage } from './campaigns/campaign-page.js';
import { LocaleProvider, useI18n } from './i18n/locale-context.js';
import { CAMPAIGNS_HREF } from './routing/route.js';
import { useRoute } from './routing/use-route.js';
import { LanguageToggle } from './ui/language-toggle.js';

function Screens() {
  const route = useRoute();
  return route.name === 'campaign' ? <CampaignPage key={route.id} id={route.id} /> : <CampaignList />;
}

function Workspace({ session }: { session: Session }) {
  const value = useMemo<SessionContextValue>(
    () => ({ viewer: session.viewer, onReconnect: session.api.onReconnect }),
    [session],
  );
  return (
    <Provider value={session.api.client}>
      <SessionContext value={value}>
        <Screens />
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
        <a className="topbar__brand" href={CAMPAIGNS_HREF}>
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
