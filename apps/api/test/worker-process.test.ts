import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mainCommand } from './support/built-main.js';
import { collect, gqlOk, wsClient } from './support/graphql-client.js';
import { seedTaggedContacts } from './support/seed-contacts.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const apiDir = fileURLToPath(new URL('..', import.meta.url));

describe('the worker as its own process (PostgreSQL)', () => {
  let t: TestApp;
  let worker: ChildProcess;
  let workerLog = '';

  beforeAll(async () => {
    t = await startTestApp('postgres', { worker: 'off' });
    const main = mainCommand(inject('builtMain'), {
      ...process.env,
      DATABASE_URL: t.app.config.databaseUrl,
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '2',
      // The test must not depend on the time of day it runs at.
      QUIET_HOURS: 'off',
    });
    worker = spawn(process.execPath, [...main.args, 'worker'], {
      cwd: apiDir,
      env: main.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.on('data', (d) => (workerLog += d));
    worker.stderr?.on('data', (d) => (workerLog += d));
  });
  afterAll(async () => {
    worker?.kill('SIGTERM');
    await t?.stop();
  });

  it('sends a campaign started through the API, and the API streams its progress', async () => {
    const key = t.a.keys.admin;
    const tag = await seedTaggedContacts(t.url, key, {
      tagName: 'w',
      count: 400,
      identity: (i) => ({ kind: 'EMAIL', value: `w${i}@example.com` }),
    });
    const id = (
      await gqlOk<{ createCampaign: { id: string } }>(
        t.url,
        key,
        'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'worker process',
            audience: { tag },
            variants: [{ key: 'A', content: { text: 'hello' } }],
            channelPlan: [{ channel: 'channel:sandbox' }],
            batchIntervalMs: 200,
            retryPolicy: {
              networkRetryDelayMs: 200,
              unknownRetryDelayMs: 200,
              rateLimitedDelayMs: 200,
              accountCooldownMs: 200,
            },
          },
        },
      )
    ).createCampaign.id;

    const client = wsClient(t.url, key);
    type Event = {
      campaignProgress: {
        state: string;
        counters: { total: number; sent: number; failed: number; settled: number };
      };
    };
    const sub = collect<Event>(
      client,
      'subscription($id: ID!) { campaignProgress(id: $id) { state counters { total sent failed settled } } }',
      { id },
      (e) => e.campaignProgress.state === 'COMPLETED',
    );
    await expect.poll(() => sub.events.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await gqlOk(t.url, key, 'mutation($id: ID!) { startCampaign(id: $id) { state } }', { id });
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`timeout; worker said: ${workerLog}`)), 60_000),
    );
    await Promise.race([sub.done, timeout]);
    client.dispose();

    const states = sub.events.map((e) => e.campaignProgress.state);
    expect(states.at(-1)).toBe('COMPLETED');
    // Events between the snapshot and the end came from the other process, over NOTIFY.
    const midway = sub.events.filter(
      (e) => e.campaignProgress.counters.settled > 0 && e.campaignProgress.counters.settled < 400,
    );
    expect(midway.length).toBeGreaterThan(0);
    const last = sub.events.at(-1)!.campaignProgress.counters;
    expect(last.sent + last.failed).toBe(400);
  });
});
