import { describe, expect, it } from 'vitest';
import { EMPTY_AUDIENCE, fromAudienceExpression, toAudienceExpression } from './audience.js';

describe('toAudienceExpression', () => {
  it('is everyone when nothing narrows it', () => {
    expect(toAudienceExpression(EMPTY_AUDIENCE)).toEqual({ all: true });
  });

  it('combines tags with OR or AND, and excludes with NOT', () => {
    const m = { ...EMPTY_AUDIENCE, include: ['1', '2'], combine: 'or' as const, exclude: ['3'] };
    expect(toAudienceExpression(m)).toEqual({
      and: [{ or: [{ tag: '1' }, { tag: '2' }] }, { not: { tag: '3' } }],
    });
    expect(toAudienceExpression({ ...m, combine: 'and', exclude: [] })).toEqual({
      and: [{ tag: '1' }, { tag: '2' }],
    });
    expect(toAudienceExpression({ ...EMPTY_AUDIENCE, exclude: ['3'] })).toEqual({
      and: [{ all: true }, { not: { tag: '3' } }],
    });
  });

  it('adds attribute filters', () => {
    const m = {
      ...EMPTY_AUDIENCE,
      include: ['1'],
      province: '广东',
      device: 'ios',
      activeWithinDays: 30,
      attributes: [{ key: 'level', value: 'gold' }],
    };
    expect(toAudienceExpression(m)).toEqual({
      and: [
        { tag: '1' },
        { region: { province: '广东' } },
        { device: 'ios' },
        { activeWithinDays: 30 },
        { attribute: { key: 'level', op: 'eq', value: 'gold' } },
      ],
    });
  });

  it('reads back what it wrote, and refuses other shapes', () => {
    const m = {
      ...EMPTY_AUDIENCE,
      include: ['1', '2'],
      combine: 'and' as const,
      exclude: ['3'],
      city: '深圳',
    };
    expect(fromAudienceExpression(toAudienceExpression(m))).toEqual(m);
    expect(fromAudienceExpression({ tagUnder: '9' })).toBeNull();
  });

  it('picks customer groups by owner, name and tags — a group audience, never persons', () => {
    const groups = {
      ...EMPTY_AUDIENCE,
      targets: 'group' as const,
      groupOwners: ['zhouba', ' wujiu '],
      groupName: '会员群',
      include: ['4'],
      exclude: ['5'],
      // Person-only filters left from before the switch do not reach a group audience.
      province: '广东',
    };
    expect(toAudienceExpression(groups)).toEqual({
      and: [
        { groups: { owners: ['zhouba', 'wujiu'], nameContains: '会员群' } },
        { tag: '4' },
        { not: { tag: '5' } },
      ],
    });
    expect(toAudienceExpression({ ...EMPTY_AUDIENCE, targets: 'group' })).toEqual({ groups: {} });
    const back = { ...groups, groupOwners: ['zhouba', 'wujiu'], province: '' };
    expect(fromAudienceExpression(toAudienceExpression(groups))).toEqual(back);
    expect(fromAudienceExpression({ and: [{ groups: {} }, { device: 'ios' }] })).toBeNull();
  });
});
