import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sandbox } from '@qunfa/channels';
import { type ComplianceRule, createRegistry, isQunfaError, type QunfaPlugin } from '@qunfa/core';
import { audienceSize, links } from '@qunfa/plugins';
import { afterAll, describe, expect, it } from 'vitest';
import { assemblePlugins } from '../src/plugin-config/assemble-plugins.js';
import { MASK, maskOptions } from '../src/plugin-config/mask-options.js';
import type { PluginServices } from '../src/plugins.js';

const page = readFileSync(fileURLToPath(new URL('../../../docs/plugins.md', import.meta.url)), 'utf8');
/** Blocks written ```lang file=name: extracted into a folder inside the api, so `@qunfa/core` and `zod` resolve. */
const blocks = new Map([...page.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]));
const dir = fileURLToPath(new URL(`./.docs-run-${process.pid}/`, import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, code] of blocks) writeFileSync(join(dir, name), code);
const load = <T>(name: string) => import(pathToFileURL(join(dir, name)).href) as Promise<T>;
const noServices = {} as PluginServices;

describe('docs/plugins.md, executed', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the blocks the page promises', () => {
    expect([...blocks.keys()].sort()).toEqual([
      'call-directly.ts',
      'echo-sms.ts',
      'no-shouting.ts',
      'package.json',
      'qunfa.config.json',
    ]);
  });

  it('"Call it directly" gives the result the page states', async () => {
    const { result } = await load<{ result: string[] }>('call-directly.ts');
    const stated = /`result` is `(\[.*?\])`/.exec(page)![1]!;
    expect(result).toEqual(JSON.parse(stated));
  });

  it('the config loads the channel beside the built-ins, replaces and disables by name, masks the key', async () => {
    process.env.ECHO_SMS_API_KEY = 'secret-from-env-123';
    try {
      const { plugins, origins } = await assemblePlugins(
        [sandbox(), links(), audienceSize()],
        join(dir, 'qunfa.config.json'),
        noServices,
      );
      const registry = createRegistry(plugins);
      expect(registry.channels.map((c) => c.name)).toEqual(['channel:echo-sms']);
      expect(registry.rules.map((r) => r.name)).toEqual(['rule:links', 'rule:audience-size']);
      expect(registry.get('rule:audience-size')?.options).toMatchObject({ threshold: 1000 });
      const echo = registry.channel('channel:echo-sms');
      expect(echo.limits.maxRecipientsPerSend).toBe(200);
      const shown = maskOptions(echo.options, [
        ...(echo.secrets ?? []),
        ...origins.get(echo.name)!.secretPaths,
      ]);
      expect(shown).toEqual({ apiKey: MASK, maxPerCall: 200 });
    } finally {
      delete process.env.ECHO_SMS_API_KEY;
    }
  });

  it('without the secret, the start fails with the message the page shows', async () => {
    const error = await assemblePlugins([sandbox()], join(dir, 'qunfa.config.json'), noServices).catch(
      (e: unknown) => e,
    );
    expect(isQunfaError(error, 'PLUGIN_OPTIONS_INVALID')).toBe(true);
    const shown = /Qunfa did not start: (.*)\n/.exec(page)![1]!;
    expect((error as Error).message).toBe(shown);
  });

  it('the rule finds what it says it finds', async () => {
    const { noShouting } = await load<{ noShouting: (o?: { max?: number }) => QunfaPlugin }>(
      'no-shouting.ts',
    );
    const rule = createRegistry([noShouting()]).rules[0] as ComplianceRule;
    const found = await rule.checkContent!({ type: 'text', text: '大促!!!!开始' }, { channels: [] });
    expect(found).toEqual([
      expect.objectContaining({ code: 'TOO_MANY_EXCLAMATIONS', span: { start: 5, end: 8 } }),
    ]);
    expect(await rule.checkContent!({ type: 'text', text: '大促!' }, { channels: [] })).toEqual([]);
  });
});
