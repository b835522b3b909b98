import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QunfaError } from '@qunfa/core';

/**
 * A secret in a config file's plugin options: `{ "$env": "DINGTALK_SECRET" }` reads an
 * environment variable, `{ "$file": "/run/secrets/dingtalk" }` a file (Docker and Kubernetes
 * secrets), relative to the config file, trailing newline dropped. Neither value is ever printed.
 */
export type SecretRef = { $env: string } | { $file: string };

export interface ResolvedOptions {
  options: unknown;
  /** Dotted paths of the options that came from a secret reference. */
  secretPaths: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function secretRef(value: unknown): SecretRef | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  if (typeof value.$env === 'string') return { $env: value.$env };
  if (typeof value.$file === 'string') return { $file: value.$file };
  return undefined;
}

function readSecret(ref: SecretRef, plugin: string, path: string, configFile: string): string {
  const fail = (reason: string) =>
    new QunfaError('PLUGIN_OPTIONS_INVALID', `option "${path}": ${reason}`, {
      plugin,
      details: { field: path, config: configFile },
    });
  if ('$env' in ref) {
    const value = process.env[ref.$env];
    if (value === undefined || value === '') throw fail(`environment variable ${ref.$env} is not set`);
    return value;
  }
  const file = resolve(dirname(configFile), ref.$file);
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw fail(`secret file ${file} cannot be read (${code})`);
  }
}

/** Replaces every secret reference in `options` with its value, and says where they were. */
export function resolveSecrets(options: unknown, plugin: string, configFile: string): ResolvedOptions {
  const secretPaths: string[] = [];
  const walk = (value: unknown, path: string[]): unknown => {
    const ref = secretRef(value);
    if (ref) {
      const dotted = path.join('.');
      secretPaths.push(dotted);
      return readSecret(ref, plugin, dotted, configFile);
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, String(i)]));
    if (isRecord(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return { options: walk(options, []), secretPaths };
}
