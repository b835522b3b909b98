import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Names looked for in the working directory when QUNFA_CONFIG is unset, in this order. */
export const configFileNames = [
  'qunfa.config.ts',
  'qunfa.config.mts',
  'qunfa.config.mjs',
  'qunfa.config.js',
  'qunfa.config.json',
] as const;

/** The project config to load: QUNFA_CONFIG if set, else the first `qunfa.config.*` in `cwd`, else none. */
export function findConfigFile(
  explicit: string | undefined,
  cwd: string = process.cwd(),
): string | undefined {
  if (explicit) return resolve(cwd, explicit);
  for (const name of configFileNames) {
    const path = join(cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}
