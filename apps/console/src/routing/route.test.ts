import { describe, expect, it } from 'vitest';
import { campaignHref, parseRoute } from './route.js';

describe('parseRoute', () => {
  it('opens the list by default', () => {
    expect(parseRoute('')).toEqual({ name: 'campaigns' });
    expect(parseRoute('#/')).toEqual({ name: 'campaigns' });
    expect(parseRoute('#/unknown')).toEqual({ name: 'campaigns' });
  });

  it('reads a campaign id, and round-trips with campaignHref', () => {
    expect(parseRoute('#/campaigns/cmp_01')).toEqual({ name: 'campaign', id: 'cmp_01' });
    expect(parseRoute('#/campaigns/cmp_01/')).toEqual({ name: 'campaign', id: 'cmp_01' });
    const id = '春节 活动/1';
    expect(parseRoute(campaignHref(id))).toEqual({ name: 'campaign', id });
  });

  it('falls back to the list on a malformed escape', () => {
    expect(parseRoute('#/campaigns/%E0%A4%A')).toEqual({ name: 'campaigns' });
  });
});
