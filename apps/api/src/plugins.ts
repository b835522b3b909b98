import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sandbox } from '@qunfa/channels';
import { QunfaError, type QunfaPlugin } from '@qunfa/core';
import { builtinMetrics } from '@qunfa/plugins';

/** The plugins of the embedded default: the sandbox channel with its demo failure mix, and the metrics. */
export function defaultPlugins(): QunfaPlugin[] {
  return [sandbox({ preset: 'demo' }), ...builtinMetrics()];
}

/**
 * The plugins to load: the default set, or what the module at `configPath` exports as
 * `default: { plugins: [...] }` (or a function returning that) — integrators add channels,
 * rules and metrics there without forking. The registry then rejects duplicates and bad names.
 */
export async function loadConfiguredPlugins(configPath: string | undefined): Promise<QunfaPlugin[]> {
  if (!configPath) return defaultPlugins();
  const module = (await import(pathToFileURL(resolve(configPath)).href)) as { default?: unknown };
  const exported = typeof module.default === 'function' ? await module.default() : module.default;
  const plugins = (exported as { plugins?: unknown } | undefined)?.plugins;
  if (!Array.isArray(plugins)) {
    throw new QunfaError('INVALID_INPUT', `${configPath} must export default { plugins: [...] }`, {
      details: { field: 'QUNFA_CONFIG' },
    });
  }
  return plugins as QunfaPlugin[];
}
