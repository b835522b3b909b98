import { createHashRouter, type RouteObject } from 'react-router';
import { CampaignList } from '../campaigns/campaign-list.js';
import { CampaignRoute } from '../campaigns/campaign-page.js';
import { ComposerRoute } from '../composer/composer-page.js';
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
      { path: '*', element: <NotFound /> },
    ],
  },
];

/** Hash routing: `#/contacts`, `#/campaigns/42`; unknown addresses show the not-found page. */
export function createConsoleRouter() {
  return createHashRouter(routes);
}
