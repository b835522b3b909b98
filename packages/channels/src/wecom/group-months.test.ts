import { MemoryPluginState } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { groupMonth, groupMonths } from './group-months.js';
import { type GroupRecord, groupHealth, groupKey } from './groups.js';

const group: GroupRecord = {
  chatId: 'wrChat1',
  members: 100,
  months: {
    '2026-09': { joins: 10, leaves: 4 },
    '2026-10': { joins: 6, leaves: 2 },
    '2026-11': { joins: 1, leaves: 5 },
  },
  versions: [],
};

describe('a customer group’s month', () => {
  it('counts the members a month began with back from now through every later month', () => {
    // now 100; November: +1 −5 → began with 104; October: +6 −2 → began with 100; September: +10 −4 → 94
    expect(groupMonth(group, '2026-11')).toEqual({
      month: '2026-11',
      members: 100,
      membersAtStart: 104,
      joins: 1,
      leaves: 5,
    });
    expect(groupMonth(group, '2026-10').membersAtStart).toBe(100);
    expect(groupMonth(group, '2026-09').membersAtStart).toBe(94);
    expect(groupMonth(group, '2026-12')).toMatchObject({ membersAtStart: 100, joins: 0, leaves: 0 });
  });

  it('退群率 of a past month is over the members it began with, not those of the current one', () => {
    expect(groupHealth(group, '2026-10').quitRate).toBe(2 / 100);
    expect(groupHealth(group, '2026-09').quitRate).toBe(4 / 94);
  });

  it('knows no members of a group never synced, and reads many groups in one call', async () => {
    const state = new MemoryPluginState({ now: () => new Date('2026-11-20T00:00:00Z') });
    await state.set(groupKey('wrChat1'), group);
    const months = await groupMonths(state, ['wrChat1', 'wrUnknown'], '2026-11');
    expect(months.get('wrChat1')!.membersAtStart).toBe(104);
    expect(months.get('wrUnknown')).toEqual({
      month: '2026-11',
      members: null,
      membersAtStart: null,
      joins: 0,
      leaves: 0,
    });
  });
});
