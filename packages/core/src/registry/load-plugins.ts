import { QunfaError } from '../errors.js';
import type { QunfaPlugin } from '../plugins/plugin.js';
import type { PluginFactory } from './define.js';

/** One entry of a config file's plugin list. */
export interface PluginSpec {
  /** The factory's `pluginName` (`channel:wecom`). */
  use: string;
  options?: unknown;
}

/** Builds the plugins a config file lists, in order; options are validated by each factory. */
export function loadPlugins(
  specs: readonly PluginSpec[],
  factories: readonly PluginFactory[],
): QunfaPlugin[] {
  const byName = new Map<string, PluginFactory>(factories.map((f) => [f.pluginName, f]));
  return specs.map((spec) => {
    const factory = byName.get(spec.use);
    if (!factory) {
      throw new QunfaError('PLUGIN_NOT_FOUND', `no plugin factory "${spec.use}"`, {
        plugin: spec.use,
        details: { use: spec.use, available: [...byName.keys()] },
      });
    }
    // Config files carry untyped options: the factory validates them at run time.
    return (factory as unknown as (options?: unknown) => QunfaPlugin)(spec.options);
  });
}
