import { fileURLToPath } from 'node:url';
import { silentLogger } from '@qunfa/core';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { AppConfig } from '../src/config.js';
import { assemblePlugins } from '../src/plugin-config/assemble-plugins.js';
import type { PluginServices } from '../src/plugins.js';
import { gqlOk } from './support/graphql-client.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** These modules never reach the services: they fail before. */
const noServices = {} as PluginServices;

const config = (pluginConfig: string): AppConfig => ({
  databaseUrl: undefined,
  dataDir: 'memory://',
  port: 0,
  host: '127.0.0.1',
  worker: 'inline',
  workerConcurrency: 2,
  seedDemo: false,
  logLevel: 'silent',
  tickIntervalMs: 50,
  pluginConfig,
  // Sends at any hour: the built-in quiet-hours rule is loaded, the server default is off.
  quietHours: 'off',
});

describe('plugins from a config file (QUNFA_CONFIG)', () => {
  it('loads an integrator’s own channel and sends through it', async () => {
    const app = await buildApp(config(fixture('qunfa.config.ts')), { logger: silentLogger });
    try {
      expect(app.deps.registry.channels.map((c) => c.name)).toEqual(['channel:sandbox', 'channel:echo']);
      // Added to the defaults: adding a channel keeps every compliance rule and metric.
      expect(app.deps.registry.rules.map((r) => r.name)).toEqual(
        expect.arrayContaining([
          'rule:sensitive-words',
          'rule:frequency-cap',
          'rule:quiet-hours',
          'rule:suppression',
        ]),
      );
      expect(app.deps.registry.metrics.map((m) => m.name)).toContain('metric:delivery-rate');
      const url = await app.start();
      const { createApiKey } = await import('../src/auth/api-keys.js');
      const { workspaces } = await import('../src/db/schema/index.js');
      const [ws] = await app.deps.db.insert(workspaces).values({ name: 'w' }).returning();
      const { key } = await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'k', role: 'admin' });
      await gqlOk(
        url,
        key,
        'mutation { createContacts(input: [{ identities: [{ kind: EMAIL, value: "a@example.com" }] }, { name: "no email" }]) { id } }',
      );
      const { createCampaign } = await gqlOk<{ createCampaign: { id: string } }>(
        url,
        key,
        'mutation { createCampaign(input: { name: "e", audience: { all: true }, variants: [{ key: "A", content: { text: "hi" } }], channelPlan: [{ channel: "channel:echo" }] }) { id } }',
      );
      await gqlOk(url, key, 'mutation($id: ID!) { startCampaign(id: $id) { id } }', {
        id: createCampaign.id,
      });
      await expect
        .poll(async () => (await app.deps.store.getCampaign(createCampaign.id))?.state, { timeout: 20_000 })
        .toBe('completed');
      const counters = await app.deps.store.counters(createCampaign.id);
      expect({ sent: counters.sent, suppressed: counters.suppressed }).toEqual({ sent: 1, suppressed: 1 });
    } finally {
      await app.stop();
    }
  });

  it('refuses a plugin with bad options, naming the plugin and the field', async () => {
    const error = await assemblePlugins([], fixture('bad.config.ts'), noServices).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PLUGIN_OPTIONS_INVALID', plugin: 'channel:sandbox' });
    expect((error as { details: { field: string } }).details.field).toBe('maxRecipientsPerSend');
  });

  it('refuses two plugins with the same name before anything starts', async () => {
    await expect(
      buildApp(config(fixture('duplicate.config.ts')), { logger: silentLogger }),
    ).rejects.toMatchObject({
      code: 'PLUGIN_DUPLICATE_NAME',
    });
  });

  it('refuses a module that exports no plugin list', async () => {
    await expect(assemblePlugins([], fixture('../support/databases.ts'), noServices)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
