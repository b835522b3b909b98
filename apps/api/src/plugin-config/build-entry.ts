import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isQunfaError, QunfaError, type QunfaPlugin } from '@qunfa/core';
import type { ModuleSpec, PluginEntry, UseSpec } from './read-config.js';
import { resolveSecrets } from './secrets.js';

export interface BuiltEntry {
  plugin: QunfaPlugin;
  /** Option paths filled from `$env` / `$file`, masked with the plugin's own `secrets`. */
  secretPaths: string[];
}

const isPlugin = (value: unknown): value is QunfaPlugin =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { kind?: unknown }).kind === 'string' &&
  typeof (value as { name?: unknown }).name === 'string';

/** Stamps the plugin on an error its factory threw without one. */
function failed(plugin: string, config: string, error: unknown): QunfaError {
  if (isQunfaError(error)) {
    if (error.plugin) return error;
    return new QunfaError(error.code, error.message, {
      plugin,
      details: { ...error.details, config },
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new QunfaError('PLUGIN_FAILED', `failed to load: ${reason}`, {
    plugin,
    details: { config },
    cause: error,
  });
}

async function importModule(spec: ModuleSpec, configFile: string): Promise<Record<string, unknown>> {
  const base = dirname(configFile);
  const relative = spec.module.startsWith('.') || isAbsolute(spec.module);
  let url: string;
  if (relative) {
    url = pathToFileURL(resolve(base, spec.module)).href;
  } else {
    try {
      // An npm package installed beside the project config.
      url = pathToFileURL(createRequire(resolve(base, 'noop.js')).resolve(spec.module)).href;
    } catch {
      url = spec.module; // ESM-only exports maps: let import() resolve it.
    }
  }
  return (await import(url)) as Record<string, unknown>;
}

/** Makes the plugin one config entry describes: a plugin object, a built-in by name, or a module's factory. */
export async function buildEntry(
  entry: PluginEntry,
  catalog: ReadonlyMap<string, (options: never) => QunfaPlugin>,
  configFile: string,
): Promise<BuiltEntry> {
  if (isPlugin(entry)) return { plugin: entry, secretPaths: [] };
  const label = 'use' in entry ? (entry as UseSpec).use : (entry as ModuleSpec).module;
  try {
    const { options, secretPaths } = resolveSecrets(entry.options ?? {}, label, configFile);
    let made: unknown;
    if ('use' in entry) {
      const make = catalog.get(entry.use);
      if (!make) {
        throw new QunfaError('PLUGIN_NOT_FOUND', `no built-in plugin "${entry.use}"`, {
          plugin: entry.use,
          details: { use: entry.use, available: [...catalog.keys()], config: configFile },
        });
      }
      made = (make as (o: unknown) => QunfaPlugin)(options);
    } else {
      const spec = entry as ModuleSpec;
      const exportName = spec.export ?? 'default';
      const module = await importModule(spec, configFile);
      const exported = module[exportName];
      if (typeof exported === 'function') made = await exported(options);
      else if (isPlugin(exported) && spec.options === undefined) made = exported;
      else {
        throw new QunfaError(
          'PLUGIN_FAILED',
          `export "${exportName}" is ${exported === undefined ? 'missing' : 'not a plugin factory'}`,
          { plugin: label, details: { module: spec.module, export: exportName, config: configFile } },
        );
      }
    }
    if (!isPlugin(made)) {
      throw new QunfaError('PLUGIN_FAILED', 'the factory did not return a plugin ({ kind, name, … })', {
        plugin: label,
        details: { config: configFile },
      });
    }
    const plugin =
      made.options === undefined ? { ...made, options: options as Record<string, unknown> } : made;
    return { plugin, secretPaths };
  } catch (error) {
    throw failed(label, configFile, error);
  }
}
