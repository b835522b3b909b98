import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinMetrics } from '@qunfa/plugins';
import { buildSchema, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createI18n } from './i18n.js';
import { LOCALES } from './locale.js';
import { BUNDLES, messagesFor } from './resources.js';

const srcDir = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = fileURLToPath(new URL('../../../api/schema.graphql', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Enum values the console shows translated, by the key prefix it looks them up with. */
const ENUM_PREFIXES: Record<string, string> = {
  CampaignState: 'state.',
  FailureClass: 'failure.',
  WaitReasonCode: 'wait.',
  AbWarningCode: 'ab.warning.',
  AbTestPhase: 'ab.phase.',
  AbWinnerMetric: 'ab.metric.',
  DeliveryState: 'delivery.',
  FindingLevel: 'level.',
  SuppressionReason: 'suppression.',
  Role: 'role.',
  AccountHealthState: 'health.',
  MetricStatus: 'metric.status.',
  IdentityKind: 'identity.',
  QuietHoursMode: 'quiet.mode.',
  BatchState: 'batchState.',
  ReplyClass: 'replyClass.',
  TriagePriority: 'triagePriority.',
  TriageStatus: 'triageStatus.',
};

describe('translations', () => {
  it('have every key of every feature in both languages, none empty', () => {
    for (const [name, bundle] of Object.entries(BUNDLES)) {
      const zh = Object.keys(bundle['zh-CN']).sort();
      expect(Object.keys(bundle.en).sort(), name).toEqual(zh);
      for (const locale of LOCALES) {
        for (const [key, text] of Object.entries(bundle[locale] as Record<string, string>)) {
          expect(text.trim(), `${locale} ${key}`).not.toBe('');
        }
      }
    }
  });

  it('have no key defined by two features', () => {
    const seen = new Map<string, string>();
    for (const [name, bundle] of Object.entries(BUNDLES)) {
      for (const key of Object.keys(bundle['zh-CN'])) {
        expect(seen.get(key), `${key} in ${name}`).toBeUndefined();
        seen.set(key, name);
      }
    }
  });

  it('cover every key the source asks for with t("…")', () => {
    const keys = new Set<string>();
    for (const file of sourceFiles(srcDir)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)) keys.add(match[1]!);
    }
    expect(keys.size).toBeGreaterThan(50);
    for (const locale of LOCALES) {
      const messages = messagesFor(locale);
      expect(
        [...keys].filter((key) => !(key in messages)),
        locale,
      ).toEqual([]);
    }
  });

  it('cover every value of the enums the console shows', () => {
    const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
    for (const [enumName, prefix] of Object.entries(ENUM_PREFIXES)) {
      const type = schema.getType(enumName);
      if (!isEnumType(type)) throw new Error(`${enumName} is not an enum of the schema`);
      for (const locale of LOCALES) {
        const messages = messagesFor(locale);
        const missing = type.getValues().filter((value) => !(`${prefix}${value.name}` in messages));
        expect(
          missing.map((value) => `${prefix}${value.name}`),
          locale,
        ).toEqual([]);
      }
    }
  });

  it('cover the names of the built-in metric plugins', () => {
    const names = builtinMetrics().map((metric) => metric.name);
    expect(names).toContain('metric:failure-rate');
    for (const locale of LOCALES) {
      const messages = messagesFor(locale);
      expect(
        names.filter((name) => !(name in messages)),
        locale,
      ).toEqual([]);
    }
  });

  it('translate with the operators’ vocabulary by default, through i18next', () => {
    expect(createI18n('zh-CN').t('state.RUNNING')).toBe('发送中');
    expect(createI18n('en').t('state.RUNNING')).toBe('Sending');
    expect(createI18n('zh-CN').t('metric:delivery-rate')).toBe('到达率');
  });
});
