import { createHashRouter, type RouteObject } from 'react-router';
import { AccountsPage } from '../accounts/accounts-page.js';
import { CampaignList } from '../campaigns/campaign-list.js';
import { CampaignRoute } from '../campaigns/campaign-page.js';
import { ComposerRoute } from '../composer/composer-page.js';
import { ContactPage } from '../contacts/contact-page.js';
import { ContactsPage } from '../contacts/contacts-page.js';
import { InboxPage } from '../inbox/inbox-page.js';
import { ReviewPage } from '../review/review-page.js';
import { ReviewQueue } from '../review/review-queue.js';
import { SettingsPage } from '../settings/settings-page.js';
import { Layout } from '../ui/layout.js';
import { NotFound } from '../ui/not-found.js';

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <CampaignList /> },
      { path: 'campaigns/new', element: <ComposerRoute /> },
      { path: 'campaigns/:id', element: <CampaignRoute /> },
      { path: 'campaigns/:id/edit', element: <ComposerRoute /> },
      { path: 'review', element: <ReviewQueue /> },
      { path: 'review/:id', element: <ReviewPage /> },
      { path: 'contacts', element: <ContactsPage /> },
      { path: 'contacts/:id', element: <ContactPage /> },
      { path: 'accounts', element: <AccountsPage /> },
      { path: 'inbox', element: <InboxPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
];

/** Hash routing: `#/contacts`, `#/campaigns/42`; unknown addresses show the not-found page. */
export function createConsoleRouter() {
  return createHashRouter(routes);
}
