import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox } from '@qunfa/channels';
import type { Logger, QunfaPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { complianceRules, type PluginServices } from '../src/plugins.js';
import { createTestDatabase, drivers, withMigratedPglite } from './support/databases.js';
import { codesOf, collect, gql, gqlOk, wsClient } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { addWorkspace, startTestApp, type TestApp } from './support/test-app.js';

/** A failure-free sandbox, the metrics and every default compliance rule (quiet hours among them). */
const plugins = (services: PluginServices): QunfaPlugin[] => [
  sandbox({ latencyMs: { min: 1, max: 2 }, maxRecipientsPerSend: 100 }),
  ...builtinMetrics(),
  ...complianceRules(services),
];

/** A two-hour quiet period around now in Shanghai, and the instant it ends: tests pass at any hour. */
function quietAroundNow(): { start: string; end: string; endsAt: Date } {
  const now = Date.now();
  const local = (ms: number) => {
    const m = Math.floor((((ms / 60_000 + 8 * 60) % 1440) + 1440) % 1440);
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  const end = now + 60 * 60_000;
  return {
    start: local(now - 60 * 60_000),
    end: local(end),
    endsAt: new Date(Math.floor(end / 60_000) * 60_000),
  };
}

interface Waiting {
  reason: string;
  count: number | null;
  until: string | null;
  lastUntil: string | null;
  detail: string | null;
}
interface CampaignView {
  campaign: {
    state: string;
    counters: { queued: number; sent: number; total: number };
    waiting: Waiting[];
    quietHours: { mode: string; enabled: boolean; start: string | null; end: string | null };
  };
}
const campaignQuery = `query($id: ID!) { campaign(id: $id) { state counters { queued sent total }
  waiting { reason count until lastUntil detail } quietHours { mode enabled start end } } }`;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startCampaign(url: string, key: string, tag: string, quietHours?: Record<string, unknown>) {
  const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
    url,
    key,
    'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
    {
      input: {
        name: 'quiet',
        audience: { tag },
        variants: [{ key: 'A', content: { text: '{{name}}，您的积分已到账。' } }],
        channelPlan: [{ channel: 'channel:sandbox', batchSize: 10 }],
        ...(quietHours ? { quietHours } : {}),
      },
    },
  );
  await gqlOk(url, key, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id: createCampaign.id });
  return createCampaign.id;
}

const view = (url: string, key: string, id: string) => gqlOk<CampaignView>(url, key, campaignQuery, { id });
const setQuiet =
  'mutation($input: QuietHoursInput!) { setWorkspaceQuietHours(input: $input) { quietHours { mode enabled start end } } }';

describe.each(drivers)('quiet hours and what a campaign waits for (%s)', (driver) => {
  let t: TestApp;
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  beforeAll(async () => {
    t = await startTestApp(driver, {}, plugins, { logger });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a bad setting and non-admins, with typed codes', async () => {
    const bad = [
      { mode: 'WINDOW', start: '22:00' },
      { mode: 'WINDOW', start: '22:00', end: '22:00' },
      { mode: 'WINDOW', start: '24:00', end: '08:00' },
    ];
    for (const input of bad)
      expect(codesOf(await gql(t.url, t.a.keys.admin, setQuiet, { input }))).toEqual(['INVALID_INPUT']);
    const operator = await gql(t.url, t.a.keys.operator, setQuiet, { input: { mode: 'OFF' } });
    expect(codesOf(operator)).toEqual(['FORBIDDEN']);
    const { viewer } = await gqlOk<{ viewer: { workspace: { quietHours: unknown } } }>(
      t.url,
      t.a.keys.viewer,
      '{ viewer { workspace { quietHours { mode enabled start end } } } }',
    );
    expect(viewer.workspace.quietHours).toEqual({
      mode: 'INHERIT',
      enabled: true,
      start: '22:00',
      end: '08:00',
    });
  });

  it('defers a campaign in the workspace quiet hours, says why and until when, and releases it when they change', async () => {
    const quiet = quietAroundNow();
    const admin = t.a.keys.admin;
    const set = await gqlOk<{ setWorkspaceQuietHours: { quietHours: unknown } }>(t.url, admin, setQuiet, {
      input: { mode: 'WINDOW', start: quiet.start, end: quiet.end },
    });
    expect(set.setWorkspaceQuietHours.quietHours).toEqual({
      mode: 'WINDOW',
      enabled: true,
      start: quiet.start,
      end: quiet.end,
    });
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'night',
      count: 20,
      identity: (i) => ({ kind: 'PHONE', value: `+8613711${String(i).padStart(6, '0')}` }),
    });
    const id = await startCampaign(t.url, admin, tag);
    const deferred = await until(
      () => view(t.url, admin, id),
      // A batch's deferral and the counters settle in separate statements: wait for both.
      (v) =>
        v.campaign.counters.queued === 20 &&
        v.campaign.waiting.some((w) => w.reason === 'QUIET_HOURS' && w.count === 20),
      'the quiet-hours deferral',
    );
    expect(deferred.campaign).toMatchObject({ state: 'RUNNING', counters: { queued: 20, sent: 0 } });
    expect(deferred.campaign.waiting).toEqual([
      {
        reason: 'QUIET_HOURS',
        count: 20,
        until: quiet.endsAt.toISOString(),
        lastUntil: quiet.endsAt.toISOString(),
        detail: null,
      },
    ]);
    expect(deferred.campaign.quietHours).toEqual({
      mode: 'INHERIT',
      enabled: true,
      start: quiet.start,
      end: quiet.end,
    });
    // The first progress event says the same.
    const client = wsClient(t.url, admin);
    const progress = collect<{ campaignProgress: { waiting: Waiting[] } }>(
      client,
      'subscription($id: ID!) { campaignProgress(id: $id) { waiting { reason count until } } }',
      { id },
      () => true,
    );
    await progress.done;
    await client.dispose();
    expect(progress.events[0]?.campaignProgress.waiting).toEqual([
      { reason: 'QUIET_HOURS', count: 20, until: quiet.endsAt.toISOString() },
    ]);
    // The server said so, once, at info.
    const said = lines.filter((l) => l.message === 'campaign waiting' && l.fields?.campaignId === id);
    expect(said.filter((l) => l.level === 'info')).toEqual([
      {
        level: 'info',
        message: 'campaign waiting',
        fields: expect.objectContaining({
          reason: 'quiet_hours',
          until: quiet.endsAt.toISOString(),
          plugin: 'rule:quiet-hours',
        }),
      },
    ]);

    await gqlOk(t.url, admin, setQuiet, { input: { mode: 'OFF' } });
    const sent = await until(
      () => view(t.url, admin, id),
      (v) => v.campaign.state === 'COMPLETED',
      'the campaign to complete once quiet hours are off',
    );
    expect(sent.campaign).toMatchObject({ counters: { sent: 20, queued: 0 }, waiting: [] });
    await gqlOk(t.url, admin, setQuiet, { input: { mode: 'INHERIT' } });
  });

  it('lets a campaign turn quiet hours off for itself, with a warning', async () => {
    const quiet = quietAroundNow();
    const admin = t.b.keys.admin;
    await gqlOk(t.url, admin, setQuiet, { input: { mode: 'WINDOW', start: quiet.start, end: quiet.end } });
    const tag = await seedTaggedContacts(t.url, admin, {
      tagName: 'notice',
      count: 10,
      identity: (i) => ({ kind: 'PHONE', value: `+8613722${String(i).padStart(6, '0')}` }),
    });
    const id = await startCampaign(t.url, admin, tag, { mode: 'OFF' });
    const done = await until(
      () => view(t.url, admin, id),
      (v) => v.campaign.state === 'COMPLETED',
      'the notice',
    );
    expect(done.campaign).toMatchObject({
      counters: { sent: 10 },
      quietHours: { mode: 'OFF', enabled: false, start: null, end: null },
    });
    const { campaign } = await gqlOk<{ campaign: { findings: { code: string; level: string }[] } }>(
      t.url,
      admin,
      'query($id: ID!) { campaign(id: $id) { findings { code level } } }',
      { id },
    );
    expect(campaign.findings).toContainEqual({ code: 'QUIET_HOURS_OFF', level: 'WARN' });
  });
});

describe.each(drivers)(
  'a restart with other QUIET_HOURS judges the deferred deliveries again (%s)',
  (driver) => {
    let dir: string;
    let app: App | undefined;
    let drop = async () => {};
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'qunfa-quiet-'));
      // PGlite: a copy of a migrated folder, which both starts open (not a new folder's initdb).
      if (driver === 'pglite') withMigratedPglite(dir);
    });
    afterAll(async () => {
      await app?.stop();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('releases what quiet hours deferred when the server restarts with QUIET_HOURS=off', async () => {
      const database = driver === 'postgres' ? await createTestDatabase('postgres') : undefined;
      drop = database ? database.drop : drop;
      const quiet = quietAroundNow();
      const config = (quietHours: AppConfig['quietHours']): AppConfig => ({
        databaseUrl: database?.url,
        dataDir: dir,
        port: 0,
        host: '127.0.0.1',
        worker: 'inline',
        workerConcurrency: 2,
        seedDemo: false,
        logLevel: 'silent',
        tickIntervalMs: 50,
        quietHours,
      });
      app = await buildApp(config({ start: quiet.start, end: quiet.end }), { plugins });
      let url = await app.start();
      const ws = await addWorkspace(app, 'restart');
      const tag = await seedTaggedContacts(url, ws.keys.admin, {
        tagName: 'restart',
        count: 15,
        identity: (i) => ({ kind: 'PHONE', value: `+8613733${String(i).padStart(6, '0')}` }),
      });
      const id = await startCampaign(url, ws.keys.admin, tag);
      await until(
        () => view(url, ws.keys.admin, id),
        (v) => v.campaign.waiting.some((w) => w.reason === 'QUIET_HOURS' && w.count === 15),
        'the deferral',
      );
      await app.stop();
      app = await buildApp(config('off'), { plugins });
      url = await app.start();
      const done = await until(
        () => view(url, ws.keys.admin, id),
        (v) => v.campaign.state === 'COMPLETED',
        'the release',
      );
      expect(done.campaign).toMatchObject({
        counters: { sent: 15 },
        waiting: [],
        quietHours: { enabled: false },
      });
    });
  },
);
