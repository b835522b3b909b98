import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandbox } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';
import { type Browser, chromium, type Page } from 'playwright-core';
import { complianceRules, type PluginServices } from '../../src/plugins.js';

export const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const consoleBuilt = existsSync(fileURLToPath(new URL('../../../console/dist/index.html', import.meta.url)));
/** CI builds the console first (turbo: api#test depends on console#build); elsewhere when both are there. */
export const browserRunnable = process.env.CI === 'true' || (existsSync(executablePath) && consoleBuilt);

/** Screenshots of the console end-to-end tests, per test and locale: apps/api/test-output/console-e2e/… */
export const SCREENSHOT_ROOT = fileURLToPath(new URL('../../test-output/console-e2e', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * A sandbox that fails a few recipients permanently (so a campaign ends, with failures to resend)
 * and has a daily quota (so the composer shows it used and left), a second sandbox (an SMS step with
 * content of its own), the metrics and every compliance rule.
 */
export function consolePlugins(services: PluginServices): QunfaPlugin[] {
  return [
    sandbox({
      latencyMs: { min: 5, max: 20 },
      maxRecipientsPerSend: 15,
      maxSendsPerDay: 100_000,
      seed: 11,
      failureRates: { invalid_recipient: 0.06, blocked_by_user: 0.04 },
    }),
    // A second channel, for content of its own in the composer.
    sandbox({ name: 'channel:sandbox-sms', latencyMs: { min: 5, max: 20 }, seed: 12 }),
    ...builtinMetrics(),
    ...complianceRules(services),
  ];
}

/** Takes numbered screenshots into one folder; returns the paths it wrote. */
export function screenshotter(folder: string) {
  const dir = join(SCREENSHOT_ROOT, folder);
  mkdirSync(dir, { recursive: true });
  let step = 0;
  const paths: string[] = [];
  return {
    paths,
    async shot(page: Page, name: string, fullPage = true) {
      step += 1;
      const path = join(dir, `${String(step).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage });
      paths.push(path);
      return path;
    },
  };
}

/** Logs in through the form, in `locale` (the toggle on the login page switches to English). */
export async function logIn(page: Page, url: string, key: string, locale: 'zh-CN' | 'en', hash = '#/') {
  await page.goto(`${url}/${hash}`);
  if (locale === 'en' && (await page.getByTestId('language-toggle').textContent()) === 'English') {
    await page.getByTestId('language-toggle').click();
  }
  await page.getByTestId('login-key').fill(key);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('workspace-name').waitFor();
}

/** A CSV of `count` contacts tagged 会员 (every third also 广东), plus two rows with a bad phone. */
export function contactsCsv(count: number): string {
  const rows = ['name,phone,tags,province'];
  for (let i = 0; i < count; i++) {
    const tags = i % 3 === 0 ? '会员|广东' : '会员';
    rows.push(`客户${i},+86139${String(10_000_000 + i).slice(-8)},${tags},${i % 3 === 0 ? '广东' : '浙江'}`);
  }
  rows.push('坏行甲,12345,会员,广东', '坏行乙,not-a-phone,会员,广东');
  return `${rows.join('\n')}\n`;
}
