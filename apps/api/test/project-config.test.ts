import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox } from '@qunfa/channels';
import { createRegistry, type Logger } from '@qunfa/core';
import { links } from '@qunfa/plugins';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createApiKey } from '../src/auth/api-keys.js';
import type { AppConfig } from '../src/config.js';
import { workspaces } from '../src/db/schema/index.js';
import { assemblePlugins } from '../src/plugin-config/assemble-plugins.js';
import { findConfigFile } from '../src/plugin-config/find-config.js';
import { MASK } from '../src/plugin-config/mask-options.js';
import type { PluginServices } from '../src/plugins.js';
import { ChildProcesses } from './support/child-processes.js';
import { gql, gqlOk } from './support/graphql-client.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** Configs that only name plain built-ins never reach the services. */
const noServices = {} as PluginServices;
const sandboxAndLinks = [sandbox(), links()];
const SIGNING_KEY = 'k3y-that-must-never-show';

const config = (pluginConfig: string | undefined): AppConfig => ({
  databaseUrl: undefined,
  dataDir: 'memory://',
  port: 0,
  host: '127.0.0.1',
  worker: 'off',
  workerConcurrency: 1,
  seedDemo: false,
  logLevel: 'silent',
  tickIntervalMs: 50,
  quietHours: 'off',
  pluginConfig,
});

function recordingLogger(): Logger & { lines: { message: string; fields?: Record<string, unknown> }[] } {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const log = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  return { lines, debug: log, info: log, warn: log, error: log };
}

describe('a JSON project config: built-ins by name, a local module, secrets from the environment', () => {
  const processes = new ChildProcesses();
  afterAll(() => processes.killAll());

  it('adds to the defaults, replaces a built-in it names, disables by name, logs the active set', async () => {
    process.env.QUNFA_TEST_SIGNING_KEY = SIGNING_KEY;
    const logger = recordingLogger();
    const app = await buildApp(config(fixture('json-config.json')), { logger });
    try {
      const { registry } = app.deps;
      expect(registry.channels.map((c) => c.name)).toEqual(['channel:signed']);
      expect(registry.get('rule:links')).toBeUndefined();
      expect(registry.get('rule:quiet-hours')).toBeDefined();
      expect(registry.get('rule:audience-size')?.options).toMatchObject({ threshold: 2 });
      const active = logger.lines.find((l) => l.message === 'plugins active');
      expect(active?.fields).toMatchObject({
        config: fixture('json-config.json'),
        channels: ['channel:signed'],
        disabled: ['channel:sandbox', 'rule:links'],
      });
      expect(active?.fields?.fromConfig).toEqual(
        expect.arrayContaining(['channel:signed', 'rule:audience-size']),
      );
      expect(active?.fields?.rules).toEqual(
        expect.arrayContaining(['rule:sensitive-words', 'rule:audience-size']),
      );
      expect(active?.fields?.metrics).toEqual(expect.arrayContaining(['metric:delivery-rate']));
      expect(JSON.stringify(logger.lines)).not.toContain(SIGNING_KEY);

      const url = await app.start();
      const [ws] = await app.deps.db.insert(workspaces).values({ name: 'w' }).returning();
      const admin = (await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'a', role: 'admin' })).key;
      const viewer = (await createApiKey(app.deps.db, { workspaceId: ws!.id, name: 'v', role: 'viewer' }))
        .key;
      const query = '{ plugins { name kind source kernel options } }';
      const { plugins } = await gqlOk<{
        plugins: {
          name: string;
          kind: string;
          source: string;
          kernel: string | null;
          options: Record<string, unknown>;
        }[];
      }>(url, admin, query);
      const signed = plugins.find((p) => p.name === 'channel:signed');
      expect(signed).toEqual({
        name: 'channel:signed',
        kind: 'CHANNEL',
        source: 'CONFIG',
        kernel: '^0.1.0',
        options: { signingKey: MASK, label: 'signed' },
      });
      expect(plugins.find((p) => p.name === 'rule:quiet-hours')?.source).toBe('BUILTIN');
      expect(JSON.stringify(plugins)).not.toContain(SIGNING_KEY);
      const refused = await gql(url, viewer, query);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await app.stop();
      delete process.env.QUNFA_TEST_SIGNING_KEY;
    }
  });

  it('refuses an unknown name in disable, an unknown built-in, and a module that is not there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunfa-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ disable: ['rule:nope'] }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ plugins: [{ use: 'channel:nope' }] }));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ plugins: [{ module: './missing.mjs' }] }));
    const load = (file: string) => assemblePlugins(sandboxAndLinks, join(dir, file), noServices);
    await expect(load('a.json')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'disable', name: 'rule:nope' },
    });
    await expect(load('b.json')).rejects.toMatchObject({
      code: 'PLUGIN_NOT_FOUND',
      plugin: 'channel:nope',
    });
    await expect(load('c.json')).rejects.toMatchObject({
      code: 'PLUGIN_FAILED',
      plugin: './missing.mjs',
    });
  });

  it('refuses a plugin written for another kernel', async () => {
    const { plugins } = await assemblePlugins([], fixture('incompatible.config.mjs'), noServices);
    expect(() => createRegistry(plugins)).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_INCOMPATIBLE',
        plugin: 'rule:future',
      }),
    );
  });

  it('stops `serve` with a message naming the plugin, the option and the reason', async () => {
    const proc = processes.spawn('serve', {
      QUNFA_CONFIG: fixture('missing-secret.config.json'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'qunfa-bad-config-')),
      PORT: '0',
      HOST: '127.0.0.1',
    });
    expect(await proc.exited).toBe(1);
    const output = proc.output();
    expect(output).toContain(
      'Qunfa did not start: [./plugins/signed-channel.ts] option "signingKey": environment variable QUNFA_TEST_UNSET_SECRET is not set',
    );
    expect(output).toContain(
      'code PLUGIN_OPTIONS_INVALID, plugin ./plugins/signed-channel.ts, option signingKey',
    );
    expect(output).toContain(`config ${fixture('missing-secret.config.json')}`);
  });

  it('finds qunfa.config.* in the working directory when QUNFA_CONFIG is unset', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qunfa-find-'));
    expect(findConfigFile(undefined, dir)).toBeUndefined();
    writeFileSync(join(dir, 'qunfa.config.json'), '{}');
    expect(findConfigFile(undefined, dir)).toBe(join(dir, 'qunfa.config.json'));
    writeFileSync(join(dir, 'qunfa.config.mjs'), 'export default {}');
    expect(findConfigFile(undefined, dir)).toBe(join(dir, 'qunfa.config.mjs'));
    expect(findConfigFile('other.json', dir)).toBe(join(dir, 'other.json'));
  });
});
