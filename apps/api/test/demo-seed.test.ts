import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietUntil } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { defaultPlugins } from '../src/plugins.js';
import { type DemoSeed, seedDemo } from '../src/seed.js';
import { createTestDatabase, drivers } from './support/databases.js';
import { codesOf, gql, gqlOk } from './support/graphql-client.js';

interface Waiting {
  reason: string;
  count: number | null;
  until: string | null;
}
interface CampaignView {
  campaign: {
    name: string;
    state: string;
    counters: { total: number; sent: number; failed: number; queued: number };
    waiting: Waiting[];
    quietHours: { mode: string; enabled: boolean };
    findings: { code: string; level: string }[];
  };
}
const campaignQuery = `query($id: ID!) { campaign(id: $id) { name state counters { total sent failed queued }
  waiting { reason count until } quietHours { mode enabled } findings { code level } } }`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the demo members live where quiet hours never cover every one of them at once', () => {
  it('has someone in quiet hours at every half hour of the year, and someone not', () => {
    const zones = ['Asia/Shanghai', 'Europe/London', 'America/Los_Angeles'];
    const window = { start: 22 * 60, end: 8 * 60 };
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 30 * 60_000) {
      const quiet = zones.filter((z) => quietUntil(new Date(t), z, window) !== undefined);
      if (quiet.length === 0 || quiet.length === zones.length) {
        throw new Error(
          `${new Date(t).toISOString()}: ${quiet.length} of ${zones.length} zones in quiet hours`,
        );
      }
    }
  });
});

describe.each(drivers)('the demo workspace (%s)', (driver) => {
  let app: App;
  let url: string;
  let seed: DemoSeed;
  let dir: string;
  let drop = async () => {};
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qunfa-demo-'));
    const database = driver === 'postgres' ? await createTestDatabase('postgres') : undefined;
    if (database) drop = database.drop;
    app = await buildApp(
      {
        databaseUrl: database?.url,
        dataDir: driver === 'pglite' ? 'memory://' : dir,
        port: 0,
        host: '127.0.0.1',
        worker: 'inline',
        workerConcurrency: 4,
        seedDemo: true,
        logLevel: 'silent',
        tickIntervalMs: 50,
      },
      { plugins: defaultPlugins },
    );
    url = await app.start();
    seed = (await seedDemo(app.deps, dir))!;
  });
  afterAll(async () => {
    await app?.stop();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an admin and an approver key, and names its tags as the README does', async () => {
    expect(seed.created).toBe(true);
    expect(readFileSync(seed.keyFile, 'utf8').trim()).toBe(seed.apiKey);
    expect(readFileSync(seed.approverKeyFile, 'utf8').trim()).toBe(seed.approverKey);
    const role = async (key: string) =>
      (await gqlOk<{ viewer: { role: string } }>(url, key, '{ viewer { role } }')).viewer.role;
    expect(await role(seed.apiKey)).toBe('ADMIN');
    expect(await role(seed.approverKey!)).toBe('APPROVER');
    const again = await seedDemo(app.deps, dir);
    expect(again).toMatchObject({ created: false, apiKey: seed.apiKey, approverKey: seed.approverKey });
    const { tags } = await gqlOk<{ tags: { name: string }[] }>(url, seed.apiKey, '{ tags { name } }');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const { name } of tags) expect(readme).toContain(name);
  });

  it('sends its notice campaign at any hour, without review', async () => {
    const key = seed.apiKey;
    const started = await gqlOk<{ startCampaign: { state: string } }>(
      url,
      key,
      'mutation { startCampaign(id: "1") { state } }',
    );
    expect(started.startCampaign.state).toBe('RUNNING');
    const sending = await until(
      () => gqlOk<CampaignView>(url, key, campaignQuery, { id: '1' }),
      (v) => v.campaign.counters.sent > 0,
      'the notice to send',
    );
    expect(sending.campaign.quietHours).toEqual({ mode: 'OFF', enabled: false });
    expect(sending.campaign.waiting.map((w) => w.reason)).not.toContain('QUIET_HOURS');
    expect(sending.campaign.counters.total).toBeLessThanOrEqual(500);
    await gqlOk(url, key, 'mutation { cancelCampaign(id: "1") { state } }');
  });

  it('sends its marketing campaign through review, and says which members wait for quiet hours', async () => {
    const key = seed.apiKey;
    const refused = await gql(url, key, 'mutation { startCampaign(id: "2") { state } }');
    expect(codesOf(refused)).toEqual(['APPROVAL_REQUIRED']);
    const submitted = await gqlOk<{
      submitCampaignForReview: { state: string; findings: { code: string }[] };
    }>(url, key, 'mutation { submitCampaignForReview(id: "2") { state findings { code } } }');
    expect(submitted.submitCampaignForReview.state).toBe('IN_REVIEW');
    expect(submitted.submitCampaignForReview.findings.map((f) => f.code)).toContain(
      'AUDIENCE_NEEDS_APPROVAL',
    );
    await gqlOk(url, seed.approverKey!, 'mutation { approveCampaign(id: "2", comment: "ok") { state } }');
    await gqlOk(url, key, 'mutation { startCampaign(id: "2") { state } }');
    const view = await until(
      () => gqlOk<CampaignView>(url, key, campaignQuery, { id: '2' }),
      (v) => v.campaign.waiting.some((w) => w.reason === 'QUIET_HOURS'),
      'members to wait for quiet hours',
    );
    expect(view.campaign.quietHours).toEqual({ mode: 'INHERIT', enabled: true });
    const quiet = view.campaign.waiting.find((w) => w.reason === 'QUIET_HOURS')!;
    expect(quiet.count).toBeGreaterThan(0);
    expect(new Date(quiet.until!).getTime()).toBeGreaterThan(Date.now());
    await gqlOk(url, key, 'mutation { cancelCampaign(id: "2") { state } }');
  });
});
