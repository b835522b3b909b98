import { NavLink, Outlet } from 'react-router';
import { useI18n } from '../i18n/locale-context.js';
import type { MessageKey } from '../i18n/resources.js';

const SECTIONS: readonly { to: string; label: MessageKey; end?: boolean }[] = [
  { to: '/', label: 'nav.campaigns', end: true },
  { to: '/campaigns/new', label: 'nav.compose' },
  { to: '/review', label: 'nav.review' },
  { to: '/contacts', label: 'nav.contacts' },
  { to: '/groups', label: 'nav.groups' },
  { to: '/accounts', label: 'nav.accounts' },
  { to: '/inbox', label: 'nav.inbox' },
  { to: '/settings', label: 'nav.settings' },
];

/** The workspace's frame: the sections on the side (a strip on a phone), the screen beside them. */
export function Layout() {
  const { t } = useI18n();
  return (
    <div className="layout">
      <nav className="nav" aria-label={t('nav.label')}>
        {SECTIONS.map(({ to, label, end }) => (
          <NavLink
            key={to}
            to={to}
            end={end ?? false}
            className="nav__link"
            data-testid={`nav-${to.replace(/\W+/g, '') || 'campaigns'}`}
          >
            {t(label)}
          </NavLink>
        ))}
      </nav>
      <div className="layout__screen">
        <Outlet />
      </div>
    </div>
  );
}
