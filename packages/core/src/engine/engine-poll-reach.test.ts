import { describe, expect, it } from 'vitest';
import type { ReachChange, ReachSink } from '../ports/reach-sink.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { fakeChannel } from './fake-channel.test-support.js';

describe('engine: relation changes a channel sweeps itself', () => {
  it('go to the reach sink on each poll, like a callback’s; a failing poll stops no other channel', async () => {
    const at = new Date('2026-03-02T02:00:00Z');
    const pending: ReachChange[] = [
      { identity: { kind: 'wxid', value: 'wxid_a' }, account: 'wx1', change: 'added', at },
      { identity: { kind: 'wxid', value: 'wxid_b' }, account: 'wx1', change: 'removed_by_customer', at },
    ];
    const personal = Object.assign(fakeChannel({ name: 'channel:personal', kinds: ['wxid'] }), {
      pollReach: async () => pending.splice(0),
    });
    const broken = Object.assign(fakeChannel({ name: 'channel:broken', kinds: ['phone'] }), {
      pollReach: async (): Promise<ReachChange[]> => {
        throw new Error('puppet gone');
      },
    });
    const recorded: [string, ReachChange[]][] = [];
    const sink: ReachSink = {
      async record(channel, changes) {
        recorded.push([channel, [...changes]]);
        return { updated: changes.length };
      },
    };
    const t = createTestEngine({ plugins: [broken, personal], engine: { reach: sink } });
    await t.engine.pollReceipts();
    await t.engine.pollReceipts();
    expect(recorded).toEqual([
      [
        'channel:personal',
        [
          { identity: { kind: 'wxid', value: 'wxid_a' }, account: 'wx1', change: 'added', at },
          { identity: { kind: 'wxid', value: 'wxid_b' }, account: 'wx1', change: 'removed_by_customer', at },
        ],
      ],
    ]);
  });
});
