import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { QunfaError, type QunfaPlugin } from '@qunfa/core';
import { z } from 'zod';
import type { PluginServices } from '../plugins.js';

/** A built-in plugin by name (`channel:sandbox`), as a JSON config can name it. */
export interface UseSpec {
  use: string;
  options?: Record<string, unknown>;
}

/** An integrator's plugin from an npm package or a local file (relative to the config). */
export interface ModuleSpec {
  module: string;
  /** The export holding the factory (or the plugin). Default `default`. */
  export?: string;
  options?: Record<string, unknown>;
}

export type PluginEntry = QunfaPlugin | UseSpec | ModuleSpec;

/** A project config, as `qunfa.config.{ts,mjs,json}` exports it. */
export interface QunfaConfig {
  /** Added to the built-in set; one with a built-in's name replaces that built-in. */
  plugins?: PluginEntry[];
  /** Built-in plugins to leave out, by name (`channel:sandbox`, `rule:links`). */
  disable?: string[];
}

const isPlugin = (value: unknown): value is QunfaPlugin =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { kind?: unknown }).kind === 'string' &&
  typeof (value as { name?: unknown }).name === 'string';

const optionsSchema = z.record(z.string(), z.unknown()).optional();
const entrySchema = z.union([
  z.custom<QunfaPlugin>(isPlugin, 'a plugin object (a factory’s result)'),
  z.strictObject({ use: z.string().min(1), options: optionsSchema }),
  z.strictObject({ module: z.string().min(1), export: z.string().min(1).optional(), options: optionsSchema }),
]);
const configSchema = z.strictObject({
  plugins: z.array(entrySchema).default([]),
  disable: z.array(z.string().min(1)).default([]),
});

export interface ReadConfig {
  plugins: PluginEntry[];
  disable: string[];
}

/**
 * Reads a project config: JSON, or a module whose default export is the config or a function
 * of the `PluginServices` returning it. A malformed config names the file and the entry.
 */
export async function readConfigFile(path: string, services: PluginServices): Promise<ReadConfig> {
  let exported: unknown;
  try {
    if (path.endsWith('.json')) {
      exported = JSON.parse(await readFile(path, 'utf8'));
    } else {
      const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
      exported = typeof module.default === 'function' ? await module.default(services) : module.default;
    }
  } catch (error) {
    if (error instanceof QunfaError) throw error;
    throw new QunfaError('PLUGIN_FAILED', `cannot load the config ${path}: ${(error as Error).message}`, {
      details: { config: path },
      cause: error,
    });
  }
  const parsed = configSchema.safeParse(exported);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(config)';
    throw new QunfaError(
      'INVALID_INPUT',
      `${path} must export default { plugins: [...], disable: [...] }: ${where}: ${issue.message}`,
      { details: { field: 'QUNFA_CONFIG', config: path, path: where } },
    );
  }
  return parsed.data as ReadConfig;
}
