import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sandbox } from '@qunfa/channels';
import {
  assertKernelCompatible,
  MemoryPluginState,
  MemoryRateLimiter,
  type QunfaPlugin,
  scopePluginState,
} from '@qunfa/core';
import { afterAll, describe, expect, it } from 'vitest';
import { assemblePlugins } from '../src/plugin-config/assemble-plugins.js';
import type { PluginServices } from '../src/plugins.js';
import {
  type DocBlock,
  type DocChecks,
  docBlocks,
  docChecks,
  withStatedChecks,
} from './support/doc-blocks.js';

/**
 * Every code block of docs/plugins.md and of every README under packages/ and examples/, run:
 * TypeScript is imported (its `// value` comments and `console.log(…); // output` lines
 * compared, its conformance suites run), a JSON plugin config is loaded as the server would,
 * a test command is the package's own. docs/graphql.md runs in docs-graphql.test.ts.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));

function readmes(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...readmes(path));
    else if (name === 'README.md') found.push(relative(root, path));
  }
  return found;
}

const pages = [
  'docs/plugins.md',
  ...readmes(join(root, 'packages')),
  ...readmes(join(root, 'examples')),
].sort();

/** Blocks whose comparison lives in a test of their own. */
const comparedElsewhere = (block: DocBlock) =>
  block.page === 'docs/plugins.md' && block.code.startsWith('Qunfa did not start:')
    ? 'docs-plugins.test.ts: the start failure the page shows'
    : undefined;

const dir = fileURLToPath(new URL(`./.docs-blocks-${process.pid}/`, import.meta.url));
const slug = (page: string) => page.replace(/\.md$/, '').replace(/[^\w]+/g, '-');
const fileOf = (block: DocBlock, ext: string) =>
  join(dir, slug(block.page), /file=(\S+)/.exec(block.info)?.[1] ?? `block-${block.line}.${ext}`);

const checks = new Map<string, DocChecks>();
/** Where the rewritten blocks find their checks: `__docChecks["<page>:<line>"]`. */
const registry: Record<string, DocChecks> = {};
(globalThis as unknown as { __docChecks: typeof registry }).__docChecks = registry;

/** Writes a TypeScript block with its stated values turned into checks; returns its path. */
function writeTs(block: DocBlock): string {
  const key = `${block.page}:${block.line}`;
  const c = docChecks(block);
  checks.set(key, c);
  registry[key] = c;
  const path = fileOf(block, 'ts');
  writeFileSync(path, withStatedChecks(block.code, `__docChecks[${JSON.stringify(key)}]`));
  return path;
}

const services: PluginServices = {
  ...({} as PluginServices),
  quietHours: 'off',
  limiter: new MemoryRateLimiter(),
  pluginState: (name) => scopePluginState(new MemoryPluginState(), name),
};

/**
 * A value for an environment variable a block reads: a URL for `…_URL` and `…_WEBHOOK`, else 43
 * letters and digits (an AES key's exact length, longer than any secret's minimum).
 */
const standIn = (name: string) =>
  /(URL|WEBHOOK)$/.test(name)
    ? `https://example.com/${name.toLowerCase()}?access_token=0123456789abcdef`
    : `Doc${name.replace(/[^A-Za-z0-9]/g, '')}0123456789abcdefghijklmnopqrstuvwxyz`
        .slice(0, 43)
        .padEnd(43, '7');

/** Environment variables a block reads, set to stand-ins for the run. */
function withEnv(code: string): () => void {
  const names = new Set(
    [...code.matchAll(/process\.env\.([A-Z0-9_]+)|"\$env":\s*"([A-Z0-9_]+)"/g)].map((m) => m[1] ?? m[2]!),
  );
  const before = new Map([...names].map((n) => [n, process.env[n]]));
  for (const n of names) process.env[n] ??= standIn(n);
  return () => {
    for (const [n, v] of before) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  };
}

/** Loads a config file as the server's start does; returns the plugin names it added. */
async function loadConfig(path: string, code: string): Promise<string[]> {
  const restore = withEnv(code);
  try {
    const { plugins, origins } = await assemblePlugins([sandbox()], path, services);
    return plugins.map((p) => p.name).filter((n) => origins.get(n)?.source === 'config');
  } finally {
    restore();
  }
}

const blocks = pages.flatMap((page) => docBlocks(root, page));
mkdirSync(dir, { recursive: true });
for (const page of pages) mkdirSync(join(dir, slug(page)), { recursive: true });
// Files first, so a block may import one the page showed before it (`./echo-sms.js`).
const written = new Map(blocks.filter((b) => b.lang === 'ts').map((b) => [b, writeTs(b)] as const));
/** Blocks that declare test suites (the conformance kit): imported while this file is collected. */
const declaresSuites = (b: DocBlock) => /^describe\w*\(/m.test(b.code);

describe('every code block of the plugin guide and the package READMEs runs as shown', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the pages and their blocks', () => {
    expect(pages).toContain('packages/core/README.md');
    expect(pages).toContain('examples/dingtalk-robot/README.md');
    expect(blocks.length).toBeGreaterThan(20);
    const unknown = blocks.filter((b) => !['ts', 'json', 'sh'].includes(b.lang) && !comparedElsewhere(b));
    expect(unknown.map((b) => `${b.page}:${b.line} ${b.lang || '(no language)'}`)).toEqual([]);
  });

  for (const block of blocks.filter((b) => b.lang === 'ts' && !declaresSuites(b))) {
    it(`${block.page}:${block.line} (ts)`, async () => {
      const restore = withEnv(block.code);
      const log = console.log;
      const c = checks.get(`${block.page}:${block.line}`)!;
      console.log = (...args: unknown[]) => void c.printed.push(args.map(String).join(' '));
      try {
        const module = (await import(pathToFileURL(written.get(block)!).href)) as { default?: unknown };
        if (typeof module.default === 'function') {
          // A project config module (`export default (services) => ({ plugins })`): loaded as at start.
          const added = await loadConfig(written.get(block)!, block.code);
          expect(added.length).toBeGreaterThan(0);
        }
      } finally {
        console.log = log;
        restore();
      }
    }, 30_000);
  }

  const isPackageJson = (b: DocBlock) => /file=package\.json\b/.test(b.info);
  for (const block of blocks.filter((b) => b.lang === 'json' && isPackageJson(b))) {
    it(`${block.page}:${block.line} (json): a plugin package this kernel and its zod accept`, () => {
      const pkg = JSON.parse(block.code) as Record<string, Record<string, string>>;
      const core = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      };
      const range = pkg.peerDependencies?.['@qunfa/core'];
      expect(range).toBeDefined();
      expect(() =>
        assertKernelCompatible({
          kind: 'channel',
          name: 'channel:doc',
          kernel: range,
        } as unknown as QunfaPlugin),
      ).not.toThrow();
      expect(pkg.dependencies?.zod).toBe(core.dependencies.zod);
      expect(pkg.scripts?.test).toBe('vitest run');
    });
  }

  for (const block of blocks.filter((b) => b.lang === 'json' && !isPackageJson(b))) {
    it(`${block.page}:${block.line} (json): a project config, or an entry of one, that loads`, async () => {
      const value = JSON.parse(block.code) as Record<string, unknown>;
      const config = 'plugins' in value ? value : { plugins: [value] };
      const path = fileOf(block, 'json');
      writeFileSync(path, JSON.stringify(config));
      const added = await loadConfig(path, block.code);
      expect(added.length).toBe((config.plugins as unknown[]).length);
    });
  }

  for (const block of blocks.filter((b) => b.lang === 'sh')) {
    it(`${block.page}:${block.line} (sh): the package's own test command, which CI runs`, () => {
      const command = /^cd (\S+) && npx vitest run\s*$/.exec(block.code.trim());
      expect(command, `no runner for: ${block.code}`).not.toBeNull();
      const pkg = join(root, command![1]!, 'package.json');
      expect(existsSync(pkg)).toBe(true);
      expect(
        (JSON.parse(readFileSync(pkg, 'utf8')) as { scripts: Record<string, string> }).scripts.test,
      ).toBe('vitest run');
    });
  }
});

for (const block of blocks.filter((b) => b.lang === 'ts' && declaresSuites(b))) {
  describe(`${block.page}:${block.line} (ts, test suites)`, async () => {
    const restore = withEnv(block.code);
    try {
      await import(pathToFileURL(written.get(block)!).href);
    } finally {
      restore();
    }
  });
}
