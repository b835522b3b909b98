import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PluginState, readMany, writeMany } from '../ports/plugin-state.js';
import type { PortHarness } from './port-harness.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The `PluginState` contract. Handles from one harness share their state (separate
 * connections for a networked backend): a token one worker cached is every worker's, and of
 * two processes racing `setIfAbsent` exactly one wins. Keys are unique per test.
 */
export function describePluginStateContract(
  name: string,
  makeHarness: () => Promise<PortHarness<PluginState>>,
): void {
  describe(`PluginState contract: ${name}`, () => {
    let harness: PortHarness<PluginState>;
    let n = 0;
    const unique = (label: string) => `contract/${label}-${process.pid}-${Date.now()}-${n++}`;

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await harness.close();
    });

    it('reads and writes many keys at once as get and set would, expiry included', async () => {
      const [a, b] = [await harness.open(), await harness.open()];
      const keys = Array.from({ length: 1203 }, (_, i) => unique(`many-${i}`));
      expect(await readMany(a, keys)).toEqual(keys.map(() => undefined));
      await writeMany(
        a,
        keys.slice(0, 1200).map((key, i) => ({ key, value: { i, name: `关注者${i}` } })),
      );
      await b.set(keys[1200]!, 'one by one');
      const read = await readMany<{ i: number } | string>(b, keys);
      expect(read.slice(0, 3)).toEqual([0, 1, 2].map((i) => ({ i, name: `关注者${i}` })));
      expect(read.slice(1198)).toEqual([
        { i: 1198, name: '关注者1198' },
        { i: 1199, name: '关注者1199' },
        'one by one',
        undefined,
        undefined,
      ]);
      expect(await a.get(keys[700]!)).toEqual({ i: 700, name: '关注者700' });
      // Replaced with a short life: gone once it ends, as set with a TTL.
      await writeMany(b, [{ key: keys[0]!, value: 'short' }], 100);
      expect(await readMany(a, [keys[0]!, keys[1]!])).toEqual(['short', { i: 1, name: '关注者1' }]);
      await pause(400);
      expect(await readMany(a, [keys[0]!, keys[1]!])).toEqual([undefined, { i: 1, name: '关注者1' }]);
      await Promise.all(keys.map((k) => a.delete(k)));
    });

    it('keeps JSON values, shared by every handle, until deleted', async () => {
      const [a, b] = [await harness.open(), await harness.open()];
      const key = unique('token');
      expect(await a.get(key)).toBeUndefined();
      const value = { token: '令牌-1', expiresAt: 1_700_000_000_000, scopes: ['a', 'b'], nested: { n: 1 } };
      await a.set(key, value);
      expect(await b.get(key)).toEqual(value);
      await b.set(key, 'replaced');
      expect(await a.get(key)).toBe('replaced');
      await a.delete(key);
      expect(await b.get(key)).toBeUndefined();
      await a.delete(key);
    });

    it('forgets a value once its time to live has passed', async () => {
      const [a, b] = [await harness.open(), await harness.open()];
      const [short, long] = [unique('short'), unique('long')];
      // A second of life: a loaded machine can take a few hundred ms between two round trips.
      await a.set(short, 1, 1_000);
      await a.set(long, 2, 60_000);
      expect(await b.get(short)).toBe(1);
      await pause(1_300);
      expect(await b.get(short)).toBeUndefined();
      expect(await b.get(long)).toBe(2);
      expect(await b.setIfAbsent(short, 3, 60_000)).toBe(true);
      expect(await a.get(short)).toBe(3);
    });

    it('lets exactly one of many racing callers set an absent key', async () => {
      const handles = await Promise.all(Array.from({ length: 4 }, () => harness.open()));
      const key = unique('lock');
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          handles[i % handles.length]!.setIfAbsent(key, { owner: i }, 60_000),
        ),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = wins.indexOf(true);
      expect(await handles[0]!.get(key)).toEqual({ owner: winner });
      expect(await handles[1]!.setIfAbsent(key, 'late', 60_000)).toBe(false);
    });

    it('stores falsy values and long keys as they are', async () => {
      const state = await harness.open();
      const base = unique('falsy');
      for (const [i, value] of [0, '', false, null, [], {}].entries()) {
        await state.set(`${base}-${i}`, value);
        expect(await state.get(`${base}-${i}`)).toEqual(value);
      }
      const long = `${base}-${'键'.repeat(300)}`;
      await state.set(long, 'ok');
      expect(await state.get(long)).toBe('ok');
    });
  });
}
