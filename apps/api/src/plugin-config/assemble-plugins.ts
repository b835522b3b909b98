import { QunfaError, type QunfaPlugin } from '@qunfa/core';
import type { PluginServices } from '../plugins.js';
import { buildEntry } from './build-entry.js';
import { builtinCatalog } from './builtin-catalog.js';
import { readConfigFile } from './read-config.js';

/** Where a loaded plugin came from, and which of its options are secrets beyond its own `secrets`. */
export interface PluginOrigin {
  source: 'builtin' | 'config';
  secretPaths: readonly string[];
}

export interface AssembledPlugins {
  plugins: QunfaPlugin[];
  origins: ReadonlyMap<string, PluginOrigin>;
  /** The config file read, if any. */
  configFile: string | undefined;
  /** Built-ins the config left out by name. */
  disabled: string[];
}

/**
 * The plugins to run: the built-in set, minus those the config disables by name, with the
 * config's own added after them (one named like a built-in replaces it, in its place).
 */
export async function assemblePlugins(
  defaults: readonly QunfaPlugin[],
  configFile: string | undefined,
  services: PluginServices,
): Promise<AssembledPlugins> {
  const origins = new Map<string, PluginOrigin>(
    defaults.map((p) => [p.name, { source: 'builtin', secretPaths: [] }]),
  );
  if (!configFile) return { plugins: [...defaults], origins, configFile, disabled: [] };
  const config = await readConfigFile(configFile, services);
  const builtinNames = new Set<string>(defaults.map((p) => p.name));
  for (const name of config.disable) {
    if (!builtinNames.has(name)) {
      throw new QunfaError('INVALID_INPUT', `disable names "${name}", which is not a built-in plugin`, {
        details: { field: 'disable', name, builtins: [...builtinNames], config: configFile },
      });
    }
  }
  const catalog = builtinCatalog(services);
  const configured = new Map<string, QunfaPlugin>();
  for (const entry of config.plugins) {
    const { plugin, secretPaths } = await buildEntry(entry, catalog, configFile);
    if (configured.has(plugin.name)) {
      throw new QunfaError('PLUGIN_DUPLICATE_NAME', `is listed twice in ${configFile}`, {
        plugin: plugin.name,
        details: { name: plugin.name, config: configFile },
      });
    }
    configured.set(plugin.name, plugin);
    origins.set(plugin.name, { source: 'config', secretPaths });
  }
  const disabled = new Set(config.disable);
  for (const name of disabled) if (!configured.has(name)) origins.delete(name);
  const kept = defaults
    .filter((p) => !disabled.has(p.name) || configured.has(p.name))
    .map((p) => configured.get(p.name) ?? p);
  const added = [...configured.values()].filter((p) => !builtinNames.has(p.name));
  return { plugins: [...kept, ...added], origins, configFile, disabled: [...disabled] };
}
