import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftedClock } from '../src/adapters/shifted-clock.js';
import { rows } from '../src/db/database.js';
import { defaultPlugins } from '../src/plugins.js';
import { ChildProcesses } from './support/child-processes.js';
import { waitFor } from './support/cluster.js';
import { gqlOk } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DAY = 86_400_000;

/** 23:30 in Shanghai (15:30 UTC), at least three days after `from`: inside the default quiet hours. */
function lateEveningAfter(from: number): Date {
  const at = new Date(from + 3 * DAY);
  at.setUTCHours(15, 30, 0, 0);
  if (at.getTime() < from + 3 * DAY) at.setTime(at.getTime() + DAY);
  return at;
}

interface View {
  campaign: {
    state: string;
    counters: { sent: number };
    waiting: { reason: string; until: string | null }[];
  };
}
const VIEW = 'query($id: ID!) { campaign(id: $id) { state counters { sent } waiting { reason until } } }';

describe('a worker process on CLOCK_OFFSET_MS (PostgreSQL, default plugins)', () => {
  const startAt = lateEveningAfter(Date.now());
  const clock = shiftedClock(startAt.getTime() - Date.now());
  const processes = new ChildProcesses();
  let t: TestApp;
  beforeAll(async () => {
    // The API here runs on the same shifted clock and leaves the sending to the child worker.
    t = await startTestApp('postgres', { worker: 'off' }, (services) => defaultPlugins(services, {}), {
      clock,
    });
  }, 120_000);
  afterAll(async () => {
    await processes.killAll();
    await t?.stop();
  });

  it('defers to 08:00 of its own clock, and a worker restarted past it sends, stamping that clock', async () => {
    const env = { DATABASE_URL: t.app.config.databaseUrl!, QUNFA_CONFIG: '' };
    const worker = () => processes.spawn('worker', { ...env, CLOCK_OFFSET_MS: String(clock.offsetMs) });
    let proc = worker();
    const admin = t.a.keys.admin;
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'late',
      count: 20,
      identity: (i) => ({ kind: 'PHONE', value: `+8613733${String(i).padStart(6, '0')}` }),
    });
    const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
      t.url,
      admin,
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'offset',
          audience: { tag },
          variants: [{ key: 'A', content: { text: '{{name}}，您的积分已到账。' } }],
          channelPlan: [{ channel: 'channel:sandbox', batchSize: 10 }],
        },
      },
    );
    const id = createCampaign.id;
    await gqlOk(t.url, admin, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    const view = () => gqlOk<View>(t.url, admin, VIEW, { id });
    // The worker judged quiet hours by its clock: until 08:00 Shanghai of the clock's next morning
    // (a worker on the real clock would say a morning days earlier).
    const morning = new Date(startAt.getTime() + DAY);
    morning.setUTCHours(0, 0, 0, 0);
    await waitFor(
      async () => (await view()).campaign.waiting.some((w) => w.reason === 'QUIET_HOURS'),
      'the deferral',
      240_000,
      () => proc.output().slice(-2000),
    );
    expect((await view()).campaign.waiting).toEqual([
      { reason: 'QUIET_HOURS', until: morning.toISOString() },
    ]);

    // The morning comes for the fleet: a worker restarted on an offset past 08:00 sends.
    await processes.kill9(proc);
    clock.setNow(new Date(morning.getTime() + 1000));
    proc = worker();
    await waitFor(
      async () => (await view()).campaign.counters.sent >= 15,
      'the sends after 08:00',
      240_000,
      () => proc.output().slice(-2000),
    );
    const [stamps] = await rows<{ first: string; n: number }>(
      t.app.deps.db,
      sql`SELECT min(at)::text AS first, count(*)::int AS n FROM delivery_attempts WHERE campaign_id = ${Number(id)}`,
    );
    expect(stamps!.n).toBeGreaterThanOrEqual(15);
    expect(new Date(stamps!.first).getTime()).toBeGreaterThanOrEqual(morning.getTime());
  }, 600_000);
});
