import { createHashRouter, type RouteObject } from 'react-router';
import { Loading } from '../ui/error-notice.js';
import { Layout } from '../ui/layout.js';
import { NotFound } from '../ui/not-found.js';

/**
 * Each screen is its own chunk, loaded when first visited (route `lazy`): the login and the
 * frame load first, recharts comes with the campaign page, the composer with its route.
 */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    hydrateFallbackElement: <Loading />,
    children: [
      {
        index: true,
        lazy: async () => ({ Component: (await import('../campaigns/campaign-list.js')).CampaignList }),
      },
      {
        path: 'campaigns/new',
        lazy: async () => ({ Component: (await import('../composer/composer-page.js')).ComposerRoute }),
      },
      {
        path: 'campaigns/:id',
        lazy: async () => ({ Component: (await import('../campaigns/campaign-page.js')).CampaignRoute }),
      },
      {
        path: 'campaigns/:id/edit',
        lazy: async () => ({ Component: (await import('../composer/composer-page.js')).ComposerRoute }),
      },
      {
        path: 'review',
        lazy: async () => ({ Component: (await import('../review/review-queue.js')).ReviewQueue }),
      },
      {
        path: 'review/:id',
        lazy: async () => ({ Component: (await import('../review/review-page.js')).ReviewPage }),
      },
      {
        path: 'contacts',
        lazy: async () => ({ Component: (await import('../contacts/contacts-page.js')).ContactsPage }),
      },
      {
        path: 'contacts/:id',
        lazy: async () => ({ Component: (await import('../contacts/contact-page.js')).ContactPage }),
      },
      {
        path: 'groups',
        lazy: async () => ({ Component: (await import('../groups/groups-page.js')).GroupsPage }),
      },
      {
        path: 'accounts',
        lazy: async () => ({ Component: (await import('../accounts/accounts-page.js')).AccountsPage }),
      },
      {
        path: 'inbox',
        lazy: async () => ({ Component: (await import('../inbox/inbox-page.js')).InboxPage }),
      },
      {
        path: 'settings',
        lazy: async () => ({ Component: (await import('../settings/settings-page.js')).SettingsPage }),
      },
      { path: '*', element: <NotFound /> },
    ],
  },
];

/** Hash routing: `#/contacts`, `#/campaigns/42`; unknown addresses show the not-found page. */
export function createConsoleRouter() {
  return createHashRouter(routes);
}
