/** Addresses of the console's screens, inside the URL hash (`#/campaigns/42`), so the API serves `dist` as files. */
export const paths = {
  campaigns: '/',
  newCampaign: '/campaigns/new',
  campaign: (id: string) => `/campaigns/${encodeURIComponent(id)}`,
  editCampaign: (id: string) => `/campaigns/${encodeURIComponent(id)}/edit`,
  review: '/review',
  reviewCampaign: (id: string) => `/review/${encodeURIComponent(id)}`,
  contacts: '/contacts',
  contact: (id: string) => `/contacts/${encodeURIComponent(id)}`,
  groups: '/groups',
  accounts: '/accounts',
  inbox: '/inbox',
  settings: '/settings',
} as const;
