import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const apiDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * What the spawned processes run: `src/main.ts`, and the project configs in TypeScript that tests
 * hand them (QUNFA_CONFIG), which import the same `@qunfa/core` as the app.
 */
const entryPoints = [
  'src/main.ts',
  'test/fixtures/fake-provider.config.ts',
  'test/fixtures/two-channel.config.ts',
].map((file) => join(apiDir, file));

/**
 * Compiles the API's entry point once per test run, for the processes tests spawn: through tsx,
 * each process spent ~4–6 CPU s only to start (its loader resolving and transpiling some 560
 * workspace modules), ~2 s from the build (worker processes, alternating runs). Our sources and
 * the workspace packages are bundled (split, so a config and the app share one `@qunfa/core`);
 * npm packages stay outside, imported from the file Node would load for them, and JSON is inlined
 * (Node 20 wants an import attribute for it). Each source keeps its own `import.meta.url`: the
 * app finds its migrations, the console and the initdb script beside its sources.
 */
export async function buildMain(): Promise<{ dir: string; remove(): Promise<void> }> {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'qunfa-built-main-'));
  await build({
    entryPoints,
    outbase: apiDir,
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Names as in the sources (an error's or a class's name is read in places).
    keepNames: true,
    logLevel: 'warning',
    plugins: [
      {
        name: 'npm-packages-outside',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, async (args) => {
            if (args.pluginData === 'resolving') return undefined;
            const resolved = await b.resolve(args.path, {
              kind: args.kind,
              importer: args.importer,
              resolveDir: args.resolveDir,
              pluginData: 'resolving',
            });
            if (resolved.errors.length > 0) return { errors: resolved.errors };
            const npm = resolved.path.includes('/node_modules/') && !resolved.path.endsWith('.json');
            return npm || resolved.external ? { path: resolved.path, external: true } : resolved;
          });
          b.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
            if (args.path.includes('/node_modules/')) return undefined;
            const source = await readFile(args.path, 'utf8');
            const url = JSON.stringify(pathToFileURL(args.path).href);
            return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
          });
        },
      },
    ],
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Node's arguments to run `src/main.ts` with a process environment: the run's build (`builtDir`)
 * when it has every module the process will load, else the sources through tsx — a project
 * config the build does not hold (JSON naming a `.ts` plugin, a test's own file) needs tsx to load.
 */
export function mainCommand(
  builtDir: string | undefined,
  env: Record<string, string | undefined>,
): { args: string[]; env: Record<string, string | undefined> } {
  const config = env.QUNFA_CONFIG;
  const tsx = { args: ['--import', 'tsx', 'src/main.ts'], env };
  if (!builtDir || !existsSync(join(builtDir, 'src/main.js'))) return tsx;
  const args = [join(builtDir, 'src/main.js')];
  if (!config) return { args, env };
  const inApi = relative(apiDir, config);
  const builtConfig = join(builtDir, inApi).replace(/\.ts$/, '.js');
  if (!inApi.startsWith('..') && config.endsWith('.ts') && existsSync(builtConfig)) {
    return { args, env: { ...env, QUNFA_CONFIG: builtConfig } };
  }
  return tsx;
}
