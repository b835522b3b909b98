import { describe, expect, it } from 'vitest';
import { campaignFilterOf, creatorChoices, filtersOf, isFiltered, paramsOf } from './list-filters.js';

describe('the campaign list filters', () => {
  it('round-trip through the URL, leaving out what is empty', () => {
    const filters = filtersOf(
      new URLSearchParams('state=RUNNING&channel=channel:sms&search=双十一&creator=m:3'),
    );
    expect(filters).toEqual({
      state: 'RUNNING',
      channel: 'channel:sms',
      from: '',
      to: '',
      creator: 'm:3',
      search: '双十一',
    });
    expect(paramsOf(filters).toString()).toBe(
      'state=RUNNING&channel=channel%3Asms&creator=m%3A3&search=%E5%8F%8C%E5%8D%81%E4%B8%80',
    );
    expect(isFiltered(filtersOf(new URLSearchParams('')))).toBe(false);
    expect(isFiltered(filters)).toBe(true);
  });

  it('become the API filter, the days in the workspace time zone with the last day included', () => {
    const filters = filtersOf(
      new URLSearchParams('from=2026-12-01&to=2026-12-04&creator=k:7&search=%20会员%20'),
    );
    expect(campaignFilterOf(filters, 'Asia/Shanghai')).toEqual({
      createdFrom: '2026-11-30T16:00:00.000Z',
      createdBefore: '2026-12-04T16:00:00.000Z',
      creatorKeyIds: ['7'],
      search: '会员',
    });
    expect(campaignFilterOf(filtersOf(new URLSearchParams('creator=m:3&state=DRAFT')), 'UTC')).toEqual({
      states: ['DRAFT'],
      creatorMemberIds: ['3'],
    });
    // A malformed day or creator in a hand-edited URL filters nothing rather than failing.
    expect(campaignFilterOf(filtersOf(new URLSearchParams('from=yesterday&creator=x')), 'UTC')).toEqual({});
  });

  it('offer one creator per member and one per service key', () => {
    expect(
      creatorChoices([
        { keyId: '1', keyName: 'ops laptop', memberId: '3', memberName: '小王' },
        { keyId: '2', keyName: 'ops phone', memberId: '3', memberName: '小王' },
        { keyId: '5', keyName: 'CRM sync', memberId: null, memberName: null },
      ]),
    ).toEqual([
      { value: 'm:3', label: '小王' },
      { value: 'k:5', label: 'CRM sync' },
    ]);
  });
});
