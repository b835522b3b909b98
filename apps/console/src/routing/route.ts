/** The console's screens, addressed by the URL hash so the API can serve `dist` as static files. */
export type Route = { name: 'campaigns' } | { name: 'campaign'; id: string };

const CAMPAIGN_PATH = /^#\/campaigns\/([^/?#]+)\/?$/;

export function parseRoute(hash: string): Route {
  const match = CAMPAIGN_PATH.exec(hash);
  if (match) {
    try {
      return { name: 'campaign', id: decodeURIComponent(match[1]!) };
    } catch {
      return { name: 'campaigns' };
    }
  }
  return { name: 'campaigns' };
}

export function campaignHref(id: string): string {
  return `#/campaigns/${encodeURIComponent(id)}`;
}

export const CAMPAIGNS_HREF = '#/';
